// Resume that listens, and a kill after a stage's last checkpoint: the stored summary comes back.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { resolveTrainConfig } from '../../src/config/resolve.ts';
import { learningRate } from '../../src/optim/index.ts';
import { RunFolder } from '../../src/train/run_folder.ts';
import { resumeRequest, train } from '../../src/train/train.ts';
import { tinyConfig, writeColourDataset } from './fixtures.ts';

let dataset = '';
before(async () => {
  dataset = await writeColourDataset();
});

const flags = (values: Record<string, unknown>) => [{ source: 'flags', values }];

/** A finished ce run whose results.json is then removed: the state a kill during the final test pass leaves. */
async function killedAfterLastCheckpoint(overrides: Record<string, unknown> = {}): Promise<RunFolder> {
  const folder = new RunFolder(mkdtempSync(join(tmpdir(), 'supcon-resume-')));
  await train(tinyConfig(dataset, { method: 'ce', ...overrides }), { runDir: folder.dir });
  rmSync(folder.path('results'));
  return folder;
}

test('a kill after the last checkpoint resumes to the same stage summary, and --threads applies', async () => {
  const folder = await killedAfterLastCheckpoint();
  const before = folder.checkpoint()!.manifest;
  assert.ok(before.finished.baseline, 'the last checkpoint holds the finished stage');
  const config = resumeRequest(folder.dir, flags({ threads: 2 }));
  assert.equal(config.threads, 2);
  const { results } = await train(config, { runDir: folder.dir, resume: true });
  assert.deepEqual(results.stages.baseline, before.finished.baseline, 'finalLoss, metrics and images/s as before the kill');
  assert.ok(Number.isFinite(results.stages.baseline!.finalLoss) && results.stages.baseline!.imagesPerSecond > 0);
  assert.equal(results.config.threads, 2);
  assert.equal(JSON.parse(readFileSync(folder.path('config'), 'utf8')).threads, 2, 'config.json says what the run used');
});

test('a larger --epochs extends the run and re-plans the schedule over the new length', async () => {
  const folder = await killedAfterLastCheckpoint({ baseline: { schedule: { kind: 'cosine' } } });
  const { results } = await train(resumeRequest(folder.dir, flags({ baseline: { epochs: 3 } })), { runDir: folder.dir, resume: true });
  const summary = results.stages.baseline!;
  assert.deepEqual([summary.epochs, summary.steps], [3, 12]);
  const steps = readFileSync(folder.path('metrics'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; step: number; lr: number; epoch: number });
  const extended = steps.filter((r) => r.kind === 'step' && r.epoch === 2);
  assert.equal(extended.length, 4);
  for (const r of extended) assert.ok(Math.abs(r.lr - learningRate({ kind: 'cosine', minFactor: 0.001 }, 0.1, r.step - 1, 12, 4)) < 1e-9, `step ${r.step} lr ${r.lr}`);
});

test('resuming with another setting is an error naming it, before anything is written', async () => {
  const folder = await killedAfterLastCheckpoint();
  const checkpoint = readFileSync(folder.path('checkpoint'));
  assert.throws(() => resumeRequest(folder.dir, flags({ baseline: { lr: 0.3 } })), /baseline\.lr \(--lr\) is 0\.3, the stored run has 0\.1/);
  const stored = folder.storedConfig();
  await assert.rejects(train(resolveTrainConfig(flags({ model: { width: 8 } }), stored), { runDir: folder.dir, resume: true }), /model\.width \(--width\) is 8, the stored run has 4/);
  assert.deepEqual(readFileSync(folder.path('checkpoint')), checkpoint, 'checkpoint untouched');
});
