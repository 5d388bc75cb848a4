// The supcon+ce objective (graphs/recipes.ts hybridRecipe) over rows [V * N, K + F] = [logits | unit
// projections]: cross-entropy of every view's logits plus w x SupCon of the projections, value and
// gradient against the float64 references of its two terms.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { hybridRecipe } from '../../graphs/recipes.ts';
import { type Matrix, crossEntropyRef, numericGrad, seeded, supConMemoryRef, supConRef, unitRows } from './reference.ts';
import { runLoss, scaledDiff } from './loss_harness.ts';

interface HybridCase {
  n: number;
  views: number;
  classes: number;
  dim: number;
  weight: number;
  temperature: number;
  labels: number[];
}

/** The hybrid's float64 reference: CE over the logit columns (labels repeated per view) + w x SupCon over the projection columns. */
function hybridRef(rows: Matrix, c: HybridCase): { loss: number; grad: Matrix; accuracy: number } {
  const logits = rows.map((r) => r.slice(0, c.classes));
  const z = rows.map((r) => r.slice(c.classes));
  const ce = crossEntropyRef(logits, Array.from({ length: rows.length }, (_, i) => c.labels[i % c.n]!));
  const supcon = supConRef(z, c.views, c.labels, { temperature: c.temperature, baseTemperature: c.temperature, contrastMode: 'all' });
  return {
    loss: ce.loss + c.weight * supcon.loss,
    grad: rows.map((_, i) => [...ce.grad[i]!, ...supcon.grad[i]!.map((g) => c.weight * g)]),
    accuracy: ce.accuracy,
  };
}

function rowsOf(c: HybridCase, seed: number): Matrix {
  const rand = seeded(seed);
  const z = unitRows(c.n * c.views, c.dim, rand);
  return z.map((zr) => [...Array.from({ length: c.classes }, () => rand() * 4 - 2), ...zr]);
}

async function check(c: HybridCase, seed: number): Promise<void> {
  const rows = rowsOf(c, seed);
  const ref = hybridRef(rows, c);
  const cfg = defaultModelConfig({ numClasses: c.classes, views: c.views, batchSize: c.n, head: 'linear', featDim: c.dim, temperature: c.temperature, supconWeight: c.weight });
  const recipe = hybridRecipe(cfg);
  assert.equal(recipe.rowDim, c.classes + c.dim);
  const result = await runLoss({
    dtype: 'float64', shape: [rows.length, c.classes + c.dim], data: rows.flat(), labels: c.labels,
    build: (x, labels) => recipe.loss(x, labels!),
  });
  assert.ok(Math.abs(result.loss - ref.loss) <= 1e-10 * Math.max(1, Math.abs(ref.loss)), `loss ${result.loss} != reference ${ref.loss}`);
  const err = scaledDiff(result.grad, ref.grad.flat());
  assert.ok(err <= 1e-9, `gradient differs from the reference by ${err.toExponential(2)}`);
  assert.equal(result.metrics.accuracy, ref.accuracy);
}

test('the hybrid reference gradient equals central differences of the reference loss', () => {
  const c: HybridCase = { n: 4, views: 2, classes: 3, dim: 3, weight: 0.5, temperature: 0.3, labels: [0, 1, 0, 2] };
  const rows = rowsOf(c, 1);
  const numeric = numericGrad((r) => hybridRef(r, c).loss, rows);
  assert.ok(scaledDiff(hybridRef(rows, c).grad.flat(), numeric.flat()) < 1e-7);
});

test('supcon+ce, two views: CE on both views plus w x SupCon, value and gradient', async () => {
  await check({ n: 6, views: 2, classes: 3, dim: 4, weight: 0.5, temperature: 0.1, labels: [0, 1, 2, 1, 0, 2] }, 2);
});

test('supcon+ce, one view: the SupCon term has the batch\'s other images of the class as positives', async () => {
  await check({ n: 8, views: 1, classes: 4, dim: 5, weight: 1, temperature: 0.2, labels: [0, 0, 1, 1, 2, 3, 3, 2] }, 3);
});

test('supcon+ce with weight 0 is cross-entropy', async () => {
  await check({ n: 5, views: 1, classes: 2, dim: 3, weight: 0, temperature: 0.1, labels: [0, 1, 1, 0, 1] }, 4);
});

test('supcon+ce with a memory queue: its rows join the SupCon term\'s contrast set, cross-entropy unchanged', async () => {
  const c: HybridCase = { n: 4, views: 2, classes: 3, dim: 3, weight: 0.7, temperature: 0.2, labels: [0, 1, 2, 1] };
  const rows = rowsOf(c, 5);
  const memory = unitRows(5, c.dim, seeded(6));
  const memoryLabels = [1, -1, 2, 0, 1]; // slot 1 empty
  const logits = rows.map((r) => r.slice(0, c.classes));
  const expected = crossEntropyRef(logits, Array.from({ length: rows.length }, (_, i) => c.labels[i % c.n]!)).loss
    + c.weight * supConMemoryRef(rows.map((r) => r.slice(c.classes)), c.views, c.labels, memory, memoryLabels, c.temperature);
  const cfg = defaultModelConfig({ numClasses: c.classes, views: c.views, batchSize: c.n, head: 'linear', featDim: c.dim, temperature: c.temperature, supconWeight: c.weight, queueSize: 5 });
  const recipe = hybridRecipe(cfg);
  assert.equal(recipe.memory?.dim, c.dim, 'the queue stores projections, not logits');
  const result = await runLoss({
    dtype: 'float64', shape: [rows.length, c.classes + c.dim], data: rows.flat(), labels: c.labels,
    build: (x, labels) => recipe.loss(x, labels!, {
      features: x.graph.constant(Float64Array.from(memory.flat()), 'float64', [5, c.dim]),
      labels: x.graph.constant(BigInt64Array.from(memoryLabels, BigInt), 'int64', [5]),
    }),
  });
  assert.ok(Math.abs(result.loss - expected) <= 1e-10 * Math.abs(expected), `loss ${result.loss} != reference ${expected}`);
});
