// Host metrics: weighted kNN votes from similarities, argmax predictions, accuracy.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracy, knnAccuracy, predictions } from '../../src/train/eval_metrics.ts';

test('kNN: the k most similar bank rows vote, weighted by exp(sim / t)', () => {
  const bankLabels = [0, 0, 1, 1, 1];
  // Query 0: its two nearest rows are class 0 (0.9, 0.8), the three class-1 rows are farther (0.7, 0.1, 0).
  // Query 1: nearest is class 1 (0.95), then class 0 (0.9, 0.85).
  const sims = Float32Array.of(0.9, 0.8, 0.7, 0.1, 0, 0.9, 0.85, 0.95, -1, -1);
  assert.equal(knnAccuracy(sims, bankLabels, [0, 1], 2, { k: 1 }), 1, 'k = 1: the nearest row decides');
  // k = 3, t = 1: query 1 gets e^0.9 + e^0.85 for class 0 against e^0.95 for class 1, so it is wrong.
  assert.equal(knnAccuracy(sims, bankLabels, [0, 1], 2, { k: 3, temperature: 1 }), 0.5);
  // A small temperature makes the nearest row dominate again.
  assert.equal(knnAccuracy(sims, bankLabels, [0, 1], 2, { k: 3, temperature: 0.01 }), 1);
  assert.throws(() => knnAccuracy(sims, bankLabels, [0], 2), /10 similarities for 1 queries x 5 bank rows/);
});

test('predictions are row-wise argmaxes; accuracy counts matches', () => {
  const predicted = predictions(Float32Array.of(0.1, 0.7, 0.2, 0.5, 0.3, 0.2), 3);
  assert.deepEqual([...predicted], [1, 0]);
  assert.equal(accuracy(predicted, [1, 2]), 0.5);
});
