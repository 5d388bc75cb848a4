// SupCon / SimCLR: loss value and gradient w.r.t. the features against the float64 reference, for
// random labels, anchors without positives, all-distinct labels (= SimCLR), two and three views, and
// SupContrast's contrast_mode 'one' with a base temperature.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simclrLoss, supConLoss } from '../../graphs/losses/supcon.ts';
import { type Matrix, type SupConRefOptions, numericGrad, seeded, supConRef, unitRows } from './reference.ts';
import { runLoss, scaledDiff } from './loss_harness.ts';

interface Case {
  n: number;
  views: number;
  dim: number;
  labels: number[] | undefined;
  options: SupConRefOptions;
}

/** features [N, V, D] flat (i, v, d) from view-major rows z[v * N + i]. */
function toFeatures(z: Matrix, n: number, views: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < n; i++) for (let v = 0; v < views; v++) out.push(...z[v * n + i]!);
  return out;
}

async function check(c: Case, seed: number, simclr = false, rows?: Matrix): Promise<void> {
  const z = rows ?? unitRows(c.n * c.views, c.dim, seeded(seed));
  const ref = supConRef(z, c.views, c.labels, c.options);
  const { temperature, baseTemperature, contrastMode } = c.options;
  const result = await runLoss({
    dtype: 'float64',
    shape: [c.n, c.views, c.dim],
    data: toFeatures(z, c.n, c.views),
    ...(c.labels ? { labels: c.labels } : {}),
    build: (x, labels) => ({
      loss: simclr ? simclrLoss(x, { temperature, baseTemperature, contrastMode }) : supConLoss(x, labels, { temperature, baseTemperature, contrastMode }),
    }),
  });
  assert.ok(Number.isFinite(result.loss), `loss is ${result.loss}`);
  assert.ok(Math.abs(result.loss - ref.loss) <= 1e-9 * Math.max(1, Math.abs(ref.loss)), `loss ${result.loss} != reference ${ref.loss}`);
  const gradErr = scaledDiff(result.grad, toFeatures(ref.grad, c.n, c.views));
  assert.ok(gradErr <= 1e-9, `gradient differs from the reference by ${gradErr.toExponential(2)}`);
}

const all = (temperature: number): SupConRefOptions => ({ temperature, baseTemperature: temperature, contrastMode: 'all' });

test('the float64 reference gradient equals central differences of the reference loss', () => {
  const z = unitRows(8, 3, seeded(7));
  const labels = [0, 1, 0, 2];
  const opts: SupConRefOptions = { temperature: 0.5, baseTemperature: 0.07, contrastMode: 'all' };
  const numeric = numericGrad((zz) => supConRef(zz, 2, labels, opts).loss, z);
  assert.ok(scaledDiff(supConRef(z, 2, labels, opts).grad.flat(), numeric.flat()) < 1e-7);
});

test('SupCon, random labels, two views', async () => {
  const rand = seeded(11);
  await check({ n: 8, views: 2, dim: 6, labels: Array.from({ length: 8 }, () => Math.floor(rand() * 3)), options: all(0.1) }, 1);
});

test('SupCon, three views', async () => {
  await check({ n: 5, views: 3, dim: 4, labels: [1, 0, 1, 2, 0], options: all(0.2) }, 2);
});

test('SupCon, one view: anchors without a positive are excluded, never NaN', async () => {
  // Samples 2 and 5 have unique labels: 4 of the 6 anchors count.
  await check({ n: 6, views: 1, dim: 5, labels: [0, 0, 1, 2, 2, 3], options: all(0.1) }, 3);
});

test('SupCon, one view, no anchor has a positive: loss 0 and zero gradient', async () => {
  await check({ n: 4, views: 1, dim: 3, labels: [0, 1, 2, 3], options: all(0.1) }, 4);
});

test('SupCon with all labels distinct equals SimCLR', async () => {
  const c: Case = { n: 6, views: 2, dim: 5, labels: [5, 3, 0, 1, 4, 2], options: all(0.1) };
  await check(c, 5);
  await check({ ...c, labels: undefined }, 5, true);
});

test("SupCon, contrast_mode 'one' and base temperature 0.07", async () => {
  await check({ n: 6, views: 2, dim: 4, labels: [0, 1, 1, 0, 2, 1], options: { temperature: 0.1, baseTemperature: 0.07, contrastMode: 'one' } }, 6);
});

test('SupCon at tau = 0.001 on orthogonal features stays finite (the stabilising max skips the self-similarity)', async () => {
  // With the self-similarity as row max every other logit is -1000 after the shift: exp underflows even
  // in float64, and the denominator would be log(0).
  const basis = Array.from({ length: 4 }, (_, i) => Array.from({ length: 4 }, (_, j) => (i === j ? 1 : 0)));
  await check({ n: 2, views: 2, dim: 4, labels: [0, 1], options: all(0.001) }, 0, false, basis);
});
