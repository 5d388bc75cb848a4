// `train --encoder onnx:<file>` end to end on an exporter-style network written by the test
// (test/onnx/import/fixtures.ts, input [batch, 3, 12, 12]): the run takes the model's input side,
// keeps its initializer names in the weights, leaves --freeze'd parameters as imported, and its
// export, eval and predict work as for our own encoders. What cannot work stops the run before its
// folder exists.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { FreezeError } from '../../graphs/freeze.ts';
import { ImportError } from '../../src/onnx/import/index.ts';
import { cpuSessionFactory } from '../../src/runtime/step_runner.ts';
import { predict } from '../../src/serve/predict.ts';
import { loadWeights } from '../../src/train/checkpoint.ts';
import { evaluateRun } from '../../src/train/eval_run.ts';
import { exportRun } from '../../src/train/pipeline.ts';
import { RUN_FILES } from '../../src/train/run_folder.ts';
import { train } from '../../src/train/train.ts';
import { mobileLikeSpec } from '../onnx/import/fixtures.ts';
import { writeModel } from '../onnx/import/onnx_writer.ts';
import { tinyConfig, writeColourDataset } from './fixtures.ts';

let dataset = '';
let models = '';
before(async () => {
  dataset = await writeColourDataset();
  models = mkdtempSync(join(tmpdir(), 'supcon-models-'));
  writeFileSync(join(models, 'mobile.onnx'), writeModel(mobileLikeSpec(14)));
});

const runDir = (): string => mkdtempSync(join(tmpdir(), 'supcon-run-'));
const imported = (overrides: Record<string, unknown> = {}) => tinyConfig(dataset, { imageSize: 0, model: { encoder: `onnx:${join(models, 'mobile.onnx')}`, ...overrides } });

test('a SupCon run on an imported encoder: its input side, its names, --freeze, then export, eval and predict', async () => {
  const dir = runDir();
  const config = { ...imported({ freeze: ['encoder.stem'] }), inputNorm: 'imagenet' as const };
  const { results } = await train(config, { runDir: dir });
  assert.equal(results.data.size, 12, "the model's own input side");
  assert.deepEqual(results.data.normalization, { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] });

  const initial = mobileLikeSpec(14).initializers;
  const final = loadWeights(join(dir, RUN_FILES.final));
  const value = (name: string): number[] => Array.from(final.get(name)!.data as Float32Array);
  const source = (name: string): number[] => Array.from(initial[name]!.data as Float32Array);
  assert.deepEqual(value('encoder.stem.0.weight'), source('stem.0.weight'), '--freeze encoder.stem: as imported');
  assert.deepEqual(value('encoder.stem.0.bias'), source('onnx::Conv_101'), 'the folded Conv bias (named after its module) is frozen with it');
  assert.notDeepEqual(value('encoder.head.conv.weight'), source('head.conv.weight'), 'the rest trains');
  assert.notDeepEqual(value('encoder.head.bn.running_mean'), source('head.bn.running_mean'), 'the kept BatchNormalization follows the batches');
  assert.ok(!final.has('encoder.fc.weight'), 'the classifier behind the feature output is cut off');

  const exported = await exportRun(dir);
  assert.deepEqual([exported.metadata.encoder, exported.metadata.inputSize, exported.metadata.embeddingDim], ['onnx:mobile.onnx', 12, 80]);
  assert.equal((await evaluateRun(dir, cpuSessionFactory({ threads: 1 }))).testAccuracy, results.testAccuracy);
  const image = join(dataset, 'test', 'class1', '0.png');
  const report = await predict({ model: dir, inputs: [image], threads: 1 });
  assert.equal(report.results[0]!.predictions.length, 3);
});

test('an imported encoder that cannot train stops the run before its folder exists, saying why', async () => {
  const dir = join(runDir(), 'never');
  await assert.rejects(train(tinyConfig(dataset, { model: { encoder: `onnx:${join(models, 'absent.onnx')}` } }), { runDir: dir }), (err: unknown) => err instanceof ImportError && /absent\.onnx does not exist/.test(err.message));

  const spec = mobileLikeSpec(14);
  writeFileSync(join(models, 'erf.onnx'), writeModel({ ...spec, nodes: spec.nodes.map((n) => (n.op === 'HardSwish' ? { ...n, op: 'Erf', name: '/stem/act/Erf' } : n)) }));
  await assert.rejects(train(tinyConfig(dataset, { model: { encoder: `onnx:${join(models, 'erf.onnx')}` } }), { runDir: dir }), /erf\.onnx: 1 node\(s\) use an op the importer does not support: \/stem\/act\/Erf \(Erf\)/);

  await assert.rejects(train(imported({ freeze: ['encoder.layer4'] }), { runDir: dir }), (err: unknown) => err instanceof FreezeError && /--freeze encoder\.layer4 matches no parameter; the modules are encoder\.stem, encoder\.se, encoder\.head, head\.0, head\.2/.test(err.message));
  await assert.rejects(train(imported({ featureOutput: 'hr' }), { runDir: dir }), /feature output hr is \[\w+, 16, 3, 3\]; an encoder returns \[N, D\]: name a flattened value with --feature-output/);
  assert.ok(!existsSync(dir), `no run folder (${existsSync(dir) ? readdirSync(dir).join(', ') : ''})`);
});
