// Stage 1 end to end: a ResNet-18 (CIFAR stem) SupCon step graph on a fixed batch of 8 images x 2 views
// (32x32) runs in onnxruntime-node and its loss falls over 30 steps; BatchNorm running stats move.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildStage1 } from '../../graphs/stages.ts';
import { int64, patternImages, trainFixedBatch } from './train_helpers.ts';

test('stage 1, ResNet-18 SupCon: loss decreases over 30 steps', async (t) => {
  const cfg = defaultModelConfig({ encoder: 'resnet18', stem: 'cifar', inputSize: 32, batchSize: 8 });
  const built = buildStage1(cfg);
  const labels = [0, 1, 2, 3, 0, 1, 2, 3];
  // Two views: the same class patterns with independent noise, stacked view-major.
  const view0 = patternImages(labels, 3, 32, 1);
  const view1 = patternImages(labels, 3, 32, 2);
  const images = { dtype: 'float32' as const, dims: [16, 3, 32, 32], data: Float32Array.from([...view0.data as Float32Array, ...view1.data as Float32Array]) };
  const { losses, runner } = await trainFixedBatch(built, { images, labels: int64(labels) }, 30, 0.05);
  t.diagnostic(`losses ${losses.map((l) => l.toFixed(3)).join(' ')}`);
  assert.ok(losses.every(Number.isFinite));
  const tail = losses.slice(-5).reduce((a, b) => a + b, 0) / 5;
  assert.ok(tail < 0.7 * losses[0]!, `mean of the last 5 losses ${tail} is not well below the first ${losses[0]}`);
  const state = await runner.state();
  const runningMean = Array.from(state.get('encoder.layer4.1.bn2.running_mean')!.data as Float32Array);
  assert.ok(runningMean.some((v) => v !== 0), 'running_mean was updated');
  assert.ok(state.has('encoder.conv1.weight.momentum_buffer'));
});
