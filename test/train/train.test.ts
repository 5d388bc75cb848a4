import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import type { StageName, TrainConfig } from '../../src/config/train_config.ts';
import { type Checkpoint, type Position, loadCheckpoint, loadWeights } from '../../src/train/checkpoint.ts';
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

/**
 * `config` run straight, and run in a child process SIGKILLed at its first checkpoint inside `stage` (between
 * two steps), then resumed: both run folders, and the checkpoint the kill left.
 */
async function killedAndResumed(config: TrainConfig, stage: StageName): Promise<{ straight: string; killed: string; checkpoint: Checkpoint }> {
  const straight = runDir();
  await train(config, { runDir: straight });

  const killed = runDir();
  const configFile = join(killed, 'given.json');
  writeFileSync(configFile, JSON.stringify(config));
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/train.ts', '--config', configFile, '--run-dir', killed], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  const checkpointOf = (dir: string) => loadCheckpoint(join(dir, RUN_FILES.checkpoint));
  const inside = (p: Position | undefined): boolean => p !== undefined && p.stage === stage && p.step > 0;
  while (!(existsSync(join(killed, RUN_FILES.checkpoint)) && inside(checkpointOf(killed)?.manifest.position))) {
    assert.ok(Date.now() < deadline, 'no checkpoint within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
  child.kill('SIGKILL');
  await exited;
  const checkpoint = checkpointOf(killed)!;
  assert.ok(inside(checkpoint.manifest.position) && !existsSync(join(killed, 'results.json')), 'killed mid-run with a readable checkpoint');
  await train(config, { runDir: killed, resume: true });
  return { straight, killed, checkpoint };
}

test('a run killed (SIGKILL) after a checkpoint resumes to exactly the uninterrupted result', async () => {
  const { straight, killed } = await killedAndResumed(tinyConfig(dataset, { method: 'ce', baseline: { epochs: 3 } }), 'baseline');
  sameTensors(join(straight, 'final.safetensors'), join(killed, 'final.safetensors'));
});

test('stage 1 in chunks with a momentum queue: the checkpoint holds the queue, and a killed run resumes exactly', async () => {
  const config = tinyConfig(dataset, { stages: 'stage1', stage1: { epochs: 3, chunkSize: 8, queueSize: 40, queueMomentum: 0.9 } });
  const { straight, killed, checkpoint } = await killedAndResumed(config, 'stage1');
  const names = [...checkpoint.state.keys()];
  assert.deepEqual(checkpoint.state.get('queue.features')!.dims, [40, 128]);
  assert.equal(checkpoint.state.get('queue.labels')!.dtype, 'int64');
  assert.ok(names.includes('momentum_encoder.encoder.conv1.weight') && names.includes('encoder.conv1.weight.momentum_buffer'));
  assert.ok(!names.some((n) => n.startsWith('grad.')), 'the summed gradients are not state');
  sameTensors(join(straight, 'stage1.safetensors'), join(killed, 'stage1.safetensors'));
  const log = readFileSync(join(straight, 'metrics.jsonl'), 'utf8');
  assert.ok(log.includes('"kind":"epoch","stage":"stage1"'), 'the chunked run trained and evaluated');
});

test('--stage2 finetune: stage 2 trains the encoder from stage 1\'s weights, and a run killed inside it resumes exactly', async () => {
  const config = tinyConfig(dataset, { stage1: { epochs: 1 }, stage2: { mode: 'finetune', epochs: 3, lr: 0.01, augmentation: 'cropflip' } });
  const { straight, killed } = await killedAndResumed(config, 'stage2');
  sameTensors(join(straight, 'final.safetensors'), join(killed, 'final.safetensors'));
  const encoder = (file: string): Float32Array => loadWeights(join(straight, file)).get('encoder.conv1.weight')!.data as Float32Array;
  assert.notDeepEqual(encoder('final.safetensors'), encoder('stage1.safetensors'), 'the encoder moved in stage 2');
});

test('supcon+ce: one stage trains encoder, head and classifier; a killed run resumes exactly', async () => {
  const config = tinyConfig(dataset, { method: 'supcon+ce', stage1: { epochs: 3, views: ['cropflip'] } });
  const { straight, killed } = await killedAndResumed(config, 'stage1');
  sameTensors(join(straight, 'final.safetensors'), join(killed, 'final.safetensors'));
  const results = JSON.parse(readFileSync(join(straight, 'results.json'), 'utf8')) as { stages: Record<string, unknown>; testAccuracy: number };
  assert.deepEqual(Object.keys(results.stages), ['stage1']);
  assert.ok(results.testAccuracy >= 0 && results.testAccuracy <= 1);
  const names = [...loadWeights(join(straight, 'final.safetensors')).keys()];
  assert.ok(names.includes('classifier.weight') && names.includes('head.0.weight') && names.includes('encoder.conv1.weight'));
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
  // Both stages' batches too large: one error names both flags.
  await assert.rejects(train(tinyConfig(dataset, { stage1: { batchSize: 480 }, stage2: { batchSize: 480 } }), { runDir: dir }), /lower --batch-size; stage2: batch size 480 leaves no full batch in the 48 training images: lower --linear-batch-size/);
  assert.ok(!existsSync(dir), 'no run folder');
});
