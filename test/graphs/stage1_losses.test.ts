// Stage 1 with each contrastive loss on the small CNN (cheap): the step graph runs and the loss falls.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ContrastiveLoss, defaultModelConfig } from '../../graphs/config.ts';
import { buildStage1 } from '../../graphs/stages.ts';
import { int64, patternImages, trainFixedBatch } from './train_helpers.ts';

const labels = [0, 1, 2, 0, 1, 2];

for (const [loss, head] of [['supcon', 'linear'], ['simclr', 'mlp'], ['max_margin', 'mlp']] as const satisfies readonly (readonly [ContrastiveLoss, 'mlp' | 'linear'])[]) {
  test(`stage 1, small CNN, ${loss} with a ${head} head: loss falls`, async () => {
    const cfg = defaultModelConfig({ encoder: 'small_cnn', width: 8, inputSize: 12, inputChannels: 1, batchSize: 6, loss, head, featDim: 16 });
    const built = buildStage1(cfg);
    const v0 = patternImages(labels, 1, 12, 1);
    const v1 = patternImages(labels, 1, 12, 2);
    const images = { dtype: 'float32' as const, dims: [12, 1, 12, 12], data: Float32Array.from([...(v0.data as Float32Array), ...(v1.data as Float32Array)]) };
    const { losses } = await trainFixedBatch(built, { images, labels: int64(labels) }, 20, 0.05);
    assert.ok(losses.every(Number.isFinite));
    const tail = losses.slice(-3).reduce((a, x) => a + x, 0) / 3;
    assert.ok(tail < 0.9 * losses[0]!, losses.map((l) => l.toFixed(4)).join(' '));
  });
}
