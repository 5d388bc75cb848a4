// Stage plans and descriptors: warm-up bounded by the run, SimCLR batches drawn without labels.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagPatches, resolveTrainConfig } from '../../src/config/resolve.ts';
import { defaultTrainConfig } from '../../src/config/train_config.ts';
import { PixelDataset } from '../../src/data/dataset.ts';
import { learningRate } from '../../src/optim/index.ts';
import { planSteps } from '../../src/train/run_context.ts';
import { stageSchedule } from '../../src/train/stage.ts';
import { stage1Spec } from '../../src/train/stages.ts';
import { cpuSessionFactory } from '../../src/runtime/step_runner.ts';

test('the default warm-up ends inside a short run: 10 epochs of 7 steps reach the full learning rate', () => {
  // The folder: 245 images, batch 32, 10 epochs = 70 steps. A fixed 100-step warm-up never
  // ended there and ramped from 0.001 down to the cosine minimum 0.0001.
  const { stage1 } = defaultTrainConfig();
  const schedule = stageSchedule(stage1, 7);
  assert.deepEqual(schedule.warmup, { steps: 4 });
  const lrs = Array.from({ length: 70 }, (_, s) => learningRate(schedule, stage1.lr, s, 70, 7));
  assert.ok(Math.max(...lrs) > 0.09, `peak lr ${Math.max(...lrs)}`);
  assert.ok(lrs[3]! < lrs[4]!, 'rising during the warm-up');
  assert.ok(lrs[69]! < 0.001, 'annealed at the end');
});

/** 4 classes of 3 images each, 2x2 gray. */
function oddClasses(): PixelDataset {
  const labels = Int32Array.from({ length: 12 }, (_, i) => i % 4);
  return new PixelDataset({ name: 'odd', classes: ['a', 'b', 'c', 'd'], channels: 1, size: 2 }, Uint8Array.from({ length: 12 * 4 }, (_, i) => i), labels);
}

test('SimCLR samples batches without labels; SupCon keeps 2 images per class', async () => {
  const train = oddClasses();
  const config = (method: string) => resolveTrainConfig(flagPatches(new Map([['--method', method], ['--batch-size', '4'], ['--linear-batch-size', '4'], ['--image-size', '2'], ['--workers', '0']])));
  // SupCon: groups of 2 per class, so each class's third image sits out: 8 images, 2 batches.
  assert.equal(planSteps(config('supcon'), train).stage1, 2);
  // SimCLR: a plain shuffle of all 12 images.
  assert.equal(planSteps(config('simclr'), train).stage1, 3);

  const simclr = config('simclr');
  const shape = { size: 2, channels: 1 as const, classes: [...train.classes], normalization: { mean: [0.5], std: [0.25] } };
  const spec = stage1Spec({ config: simclr, data: { train, test: train, shape }, inputs: { sessions: cpuSessionFactory(), norm: shape.normalization, size: 2 } });
  const source = await spec.open();
  let batches = 0;
  for await (const batch of source.batches(0, 0)) {
    batches++;
    assert.deepEqual(batch.feeds.images!.dims, [8, 1, 2, 2], '2 views of 4 images');
  }
  await source.close();
  assert.equal(batches, 3, 'the stage-1 loader of a SimCLR run draws every image');
});
