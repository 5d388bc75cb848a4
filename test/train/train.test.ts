import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { loadCheckpoint, loadWeights } from '../../src/train/checkpoint.ts';
import { RUN_FILES } from '../../src/train/run_folder.ts';
import { NonFiniteLossError } from '../../src/train/loop.ts';
import { cpuSessionFactory } from '../../src/runtime/step_runner.ts';
import { evaluateRun } from '../../src/train/eval_run.ts';
import { exportRun } from '../../src/train/pipeline.ts';
import { train } from '../../src/train/train.ts';
import { tinyConfig, writeColourDataset } from './fixtures.ts';

let dataset = '';
before(async () => {
  dataset = await writeColourDataset();
});

const runDir = (): string => mkdtempSync(join(tmpdir(), 'supcon-run-'));

function sameTensors(a: string, b: string): void {
  const x = loadWeights(a);
  const y = loadWeights(b);
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
  for (const [name, t] of x) assert.deepEqual(y.get(name)!.data, t.data, `${name} differs`);
}

test('two-stage SupCon run: files, metrics and a classifier better than chance', async () => {
  const dir = runDir();
  const result = await train(tinyConfig(dataset), { runDir: dir });
  for (const f of [RUN_FILES.config, RUN_FILES.metrics, RUN_FILES.stage1, RUN_FILES.final, RUN_FILES.results, RUN_FILES.embeddings, RUN_FILES.checkpoint]) {
    assert.ok(existsSync(join(dir, f)), `${f} written`);
  }
  assert.ok(result.results.testAccuracy! > 0.6, `test accuracy ${result.results.testAccuracy}`);
  const records = readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const epochs = records.filter((r) => r.kind === 'epoch');
  assert.equal(epochs.filter((r) => r.stage === 'stage1').length, 2);
  assert.ok(epochs.filter((r) => r.stage === 'stage1').every((r) => typeof r.knn_accuracy === 'number'));
  assert.ok(epochs.filter((r) => r.stage === 'stage2').every((r) => typeof r.test_accuracy === 'number' && typeof r.train_accuracy === 'number'));
  await assert.rejects(train(tinyConfig(dataset), { runDir: dir }), /already holds a run/);
  await assert.rejects(train(tinyConfig(dataset), { runDir: dir, resume: true }), /has finished/);
});

test('a run killed (SIGKILL) after a checkpoint resumes to exactly the uninterrupted result', async () => {
  const config = tinyConfig(dataset, { method: 'ce', baseline: { epochs: 3 } });
  const straight = runDir();
  await train(config, { runDir: straight });

  const killed = runDir();
  const configFile = join(killed, 'given.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/train.ts', '--config', configFile, '--run-dir', killed], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Kill at the first checkpoint inside the stage (position past batch 0), i.e. between two steps.
  const deadline = Date.now() + 60_000;
  const checkpointOf = (dir: string) => loadCheckpoint(join(dir, RUN_FILES.checkpoint));
  while (!(existsSync(join(killed, RUN_FILES.checkpoint)) && (checkpointOf(killed)?.manifest.position.step ?? 0) > 0)) {
    assert.ok(Date.now() < deadline, 'no checkpoint within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  const position = checkpointOf(killed)!.manifest.position;
  assert.ok(position.step > 0 && !existsSync(join(killed, 'results.json')), 'killed mid-run with a readable checkpoint');

  await train(config, { runDir: killed, resume: true });
  sameTensors(join(straight, 'final.safetensors'), join(killed, 'final.safetensors'));
});

test('a batch larger than the training split is a clear error before training', async () => {
  await assert.rejects(train(tinyConfig(dataset, { method: 'ce', baseline: { batchSize: 500 } }), { runDir: runDir() }), /baseline: batch size 500 leaves no full batch in the 48 training images: lower --batch-size/);
});

test('a non-finite loss stops the run with a clear error and the last good checkpoint intact', async () => {
  const dir = runDir();
  const config = tinyConfig(dataset, { method: 'ce', baseline: { lr: 1e30, epochs: 3 }, checkpointEvery: 1 });
  await assert.rejects(train(config, { runDir: dir }), (err: Error) => {
    assert.ok(err instanceof NonFiniteLossError, err.message);
    assert.match(err.message, /loss became (NaN|Infinity|-Infinity) at step \d+/);
    return true;
  });
  const checkpoint = loadCheckpoint(join(dir, RUN_FILES.checkpoint));
  assert.ok(checkpoint, 'checkpoint readable');
  for (const [name, t] of checkpoint.state) {
    assert.ok(Array.from(t.data as Float32Array).every(Number.isFinite), `${name} finite in the checkpoint`);
  }
});

test('an image-folder run without --image-size exports, evaluates and records the side it trained at', async () => {
  const dir = runDir();
  const { results } = await train(tinyConfig(dataset, { method: 'ce', imageSize: 0, baseline: { epochs: 1 } }), { runDir: dir });
  assert.deepEqual([results.data.size, results.data.channels, results.data.classes], [32, 3, ['class0', 'class1', 'class2']]);
  assert.equal(results.data.normalization.std.length, 3);
  const exported = await exportRun(dir);
  assert.equal(exported.metadata.inputSize, 32, 'the model is exported at the side it was trained at, not the architecture default');
  const evaluated = await evaluateRun(dir, cpuSessionFactory({ threads: 1 }));
  assert.equal(evaluated.testAccuracy, results.testAccuracy);
});

test('a config that fails validation or planning writes nothing', async () => {
  const dir = join(runDir(), 'never');
  const bad = { ...tinyConfig(dataset), stage1: { ...tinyConfig(dataset).stage1, epochs: 0 } };
  await assert.rejects(train(bad, { runDir: dir }), /stage1\.epochs \(--epochs\) is 0: must be an integer >= 1/);
  await assert.rejects(train(tinyConfig(dataset, { stage1: { batchSize: 480 } }), { runDir: dir }), /stage1: batch size 480 \(2 per class and batch\) leaves no full batch/);
  assert.ok(!existsSync(dir), 'no run folder');
});
