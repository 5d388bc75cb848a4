// compare --minutes: every method's epochs are chosen from a calibration so that its training fits the budget.

import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cpuSessionFactory } from '../../src/runtime/step_runner.ts';
import { fitToBudget } from '../../src/train/budget.ts';
import { compareRuns, matchingBaseline } from '../../src/train/compare.ts';
import { stagesOf } from '../../src/train/run_context.ts';
import { openRunData } from '../../src/train/run_data.ts';
import { tinyConfig, writeColourDataset } from './fixtures.ts';

let dataset = '';
before(async () => {
  dataset = await writeColourDataset();
});

test('a budget becomes epochs: more time, more epochs; the warm-up keeps its share of the run', async () => {
  const sessions = cpuSessionFactory({ threads: 1 });
  const config = tinyConfig(dataset, { baseline: { warmupEpochs: 0.5, epochs: 2 } });
  const data = await openRunData(config);
  for (const run of compareRuns(config)) {
    const short = await fitToBudget(run.config, 0.001, sessions, data);
    const long = await fitToBudget(run.config, 3600, sessions, data);
    const stage = stagesOf(run.config)[0]!;
    assert.equal(short.config[stage].epochs, 1, `${run.label}: a budget too small for one epoch still trains one`);
    assert.ok(long.config[stage].epochs > 100, `${run.label}: ${long.config[stage].epochs} epochs in an hour`);
    assert.ok(long.estimateSeconds > 1800 && long.estimateSeconds <= 3600, `${run.label}: estimate ${long.estimateSeconds} s`);
    assert.deepEqual(long.timings.map((t) => t.stage), { ce: ['baseline'], 'supcon+ce': ['stage1'], supcon: ['stage1', 'stage2'] }[run.config.method]);
    for (const t of long.timings) assert.ok(t.secondsPerStep > 0 && t.stepsPerEpoch === 4, `${t.stage} timing`);
    const share = run.config[stage].warmupEpochs / run.config[stage].epochs;
    assert.ok(Math.abs(long.config[stage].warmupEpochs / long.config[stage].epochs - share) < 1e-12);
    if (run.config.method === 'supcon') assert.equal(long.config.stage2.epochs, run.config.stage2.epochs, 'stage 2 keeps its epochs');
  }
});

test('the matching baseline takes stage 1 data, augmentation, schedule, warm-up and epochs', () => {
  const c = tinyConfig(dataset, { stage1: { epochs: 5, lr: 0.3, warmupEpochs: 1 } });
  const b = matchingBaseline(c);
  assert.equal(b.method, 'ce');
  assert.deepEqual(b.baseline, { epochs: 5, batchSize: c.stage1.batchSize, lr: 0.3, schedule: c.stage1.schedule, warmupEpochs: 1, augmentation: 'simaugment', chunkSize: 0 });
  // Stage 1's chunks of 8 rows (of 12 images x 2 views) become the baseline's chunks of 6 (of 12 images).
  assert.equal(matchingBaseline(tinyConfig(dataset, { stage1: { chunkSize: 8 } })).baseline.chunkSize, 6);
});
