// The max-margin contrastive loss and softmax cross-entropy against the float64 references.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossEntropy } from '../../graphs/losses/cross_entropy.ts';
import { maxMarginLoss } from '../../graphs/losses/max_margin.ts';
import { crossEntropyRef, maxMarginRef, numericGrad, seeded, unitRows } from './reference.ts';
import { runLoss, scaledDiff } from './loss_harness.ts';

test('max-margin reference gradient equals central differences', () => {
  const z = unitRows(5, 3, seeded(3));
  const labels = [0, 1, 0, 1, 2];
  const numeric = numericGrad((zz) => maxMarginRef(zz, labels, 1).loss, z);
  assert.ok(scaledDiff(maxMarginRef(z, labels, 1).grad.flat(), numeric.flat()) < 1e-7);
});

test('max-margin: value and gradient over all pairs, hinge active and inactive', async () => {
  // Unit rows: distances span (0, 2), so some negative pairs are inside the margin 1 and some outside.
  const z = unitRows(10, 4, seeded(21));
  const labels = [0, 1, 2, 0, 1, 2, 0, 1, 0, 0];
  const ref = maxMarginRef(z, labels, 1);
  const result = await runLoss({ dtype: 'float64', shape: [10, 4], data: z.flat(), labels, build: (x, l) => ({ loss: maxMarginLoss(x, l!, { margin: 1 }) }) });
  assert.ok(Math.abs(result.loss - ref.loss) < 1e-12, `loss ${result.loss} != ${ref.loss}`);
  assert.ok(scaledDiff(result.grad, ref.grad.flat()) < 1e-9);
});

test('cross-entropy: value, gradient and accuracy', async () => {
  const rand = seeded(5);
  const logits = Array.from({ length: 7 }, () => Array.from({ length: 4 }, () => rand() * 6 - 3));
  const labels = [0, 3, 1, 1, 2, 0, 3];
  const ref = crossEntropyRef(logits, labels);
  const result = await runLoss({
    dtype: 'float64',
    shape: [7, 4],
    data: logits.flat(),
    labels,
    build: (x, l) => {
      const ce = crossEntropy(x, l!);
      return { loss: ce.loss, metrics: { accuracy: ce.accuracy } };
    },
  });
  assert.ok(Math.abs(result.loss - ref.loss) < 1e-12, `loss ${result.loss} != ${ref.loss}`);
  assert.ok(scaledDiff(result.grad, ref.grad.flat()) < 1e-9);
  assert.equal(result.metrics.accuracy, ref.accuracy);
});
