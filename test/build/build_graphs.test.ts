// build-graph: writes every file, the .onnx files load in onnxruntime-node and hold only ai.onnx ops,
// the manifest describes what the sessions see, init.safetensors holds every parameter and buffer.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildStage1 } from '../../graphs/stages.ts';
import { buildGraphs, serializeBuilt } from '../../src/build/build_graphs.ts';
import { resolveTrainConfig } from '../../src/config/resolve.ts';
import type { Manifest } from '../../src/build/manifest.ts';
import { decodeModel } from '../../src/onnx/decode.ts';
import { COMPOSITE_OPS } from '../../src/onnx/op_types.ts';
import { createCpuSession } from '../../src/runtime/session.ts';
import { decodeSafetensors } from '../../src/train/safetensors.ts';

const onlyStandardOps = (bytes: Uint8Array, what: string): void => {
  const model = decodeModel(bytes);
  assert.deepEqual(model.opsetImports.map((o) => o.domain), [''], what);
  const foreign = model.nodes.filter((n) => n.domain !== '' && n.domain !== 'ai.onnx');
  assert.deepEqual(foreign.map((n) => `${n.domain}:${n.opType}`), [], what);
  // Composite gradient ops are expanded into standard ones by serialize().
  assert.deepEqual(model.nodes.filter((n) => (COMPOSITE_OPS as readonly string[]).includes(n.opType)).map((n) => n.name), [], what);
};

test('buildGraphs writes loadable graphs, init.safetensors and a manifest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'build-graph-'));
  try {
    const config = resolveTrainConfig([{ source: 'test', values: { seed: 3, model: { width: 8 }, stage1: { batchSize: 4 }, baseline: { batchSize: 6 }, stage2: { batchSize: 5 } } }]);
    buildGraphs(config, { size: 16, channels: 1, classes: ['a', 'b', 'c', 'd', 'e'] }, dir);
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['baseline.onnx', 'embed.onnx', 'init.safetensors', 'logits.onnx', 'manifest.json', 'stage1.onnx', 'stage2.onnx', 'stage2_features.onnx']);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(manifest.config.model.encoder, 'small_cnn');
    assert.deepEqual(manifest.shape, { size: 16, channels: 1, classes: ['a', 'b', 'c', 'd', 'e'] });
    assert.equal(manifest.parameterCounts.total, manifest.parameterCounts.encoder + manifest.parameterCounts.head + manifest.parameterCounts.classifier);
    for (const [name, entry] of Object.entries(manifest.graphs)) {
      const bytes = new Uint8Array(await readFile(join(dir, entry.file)));
      onlyStandardOps(bytes, name);
      const session = await createCpuSession(bytes, { threads: 1 });
      assert.deepEqual([...session.inputNames].sort(), entry.inputs.map((i) => i.name).sort(), name);
      assert.deepEqual([...session.outputNames].sort(), entry.outputs.map((o) => o.name).sort(), name);
    }
    assert.deepEqual(manifest.graphs.stage1!.feeds, ['images', 'labels']);
    assert.deepEqual(manifest.graphs.stage2_features!.feeds, ['features', 'labels']);
    assert.deepEqual(manifest.graphs.embed!.inputs.find((i) => i.name === 'images')!.shape, ['batch', 1, 16, 16]);
    // Each stage graph is built at its own stage's batch, as a training run would run it.
    const images = (g: 'stage1' | 'stage2' | 'baseline') => manifest.graphs[g]!.inputs.find((i) => i.name === 'images')!.shape;
    assert.deepEqual([images('stage1'), images('stage2'), images('baseline')], [[8, 1, 16, 16], [5, 1, 16, 16], [6, 1, 16, 16]]);
    assert.ok(manifest.graphs.stage2!.trainable.every((n) => n.startsWith('classifier.')));
    const init = decodeSafetensors(new Uint8Array(await readFile(join(dir, 'init.safetensors'))));
    assert.deepEqual([...init.tensors.keys()].sort(), manifest.parameters.map((p) => p.name).sort());
    assert.deepEqual(init.tensors.get('encoder.bn2.running_var')!.data, new Float32Array(8).fill(1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ResNet-18 (ImageNet stem, max-pool) and ResNet-50 stage-1 graphs hold only ai.onnx ops', () => {
  for (const cfg of [defaultModelConfig({ encoder: 'resnet18', stem: 'imagenet', inputSize: 64, batchSize: 4 }), defaultModelConfig({ encoder: 'resnet50', loss: 'max_margin', batchSize: 4 })]) {
    onlyStandardOps(serializeBuilt(buildStage1(cfg), cfg), cfg.encoder);
  }
});

const buildGraph = (args: string[]) => spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/build-graph.ts', ...args], { encoding: 'utf8' });

test('the build-graph CLI takes the train flags and writes artifacts/<name>/', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'build-graph-cli-'));
  try {
    const run = buildGraph(['--encoder', 'small_cnn', '--width', '4', '--image-size', '8', '--channels', '1', '--classes', '3', '--method', 'simclr', '--out', dir, '--graphs', 'embed', 'stage2_features']);
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((await readdir(join(dir, 'small_cnn_simclr'))).sort(), ['embed.onnx', 'init.safetensors', 'manifest.json', 'stage2_features.onnx']);
    const manifest = JSON.parse(await readFile(join(dir, 'small_cnn_simclr', 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(manifest.config.model.loss, 'simclr');
    assert.equal(manifest.shape.size, 8);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('build-graph answers its old flag names with the new ones', () => {
  for (const [old, now] of [['--model', '--encoder'], ['--size', '--image-size'], ['--batch', '--batch-size'], ['--loss', '--method']] as const) {
    const run = buildGraph([old, 'x', '--print-config']);
    assert.equal(run.status, 1);
    assert.match(run.stderr, new RegExp(`${old} is now ${now}`));
  }
});
