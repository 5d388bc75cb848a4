import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/data/rng.ts';
import { pca } from '../../src/report/pca.ts';

function unit(v: number[]): number[] {
  const l = Math.hypot(...v);
  return v.map((x) => x / l);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] ?? 0) * (b[i] ?? 0);
  return s;
}

test('pca recovers the dominant and second axes of an anisotropic Gaussian', () => {
  const rng = new Rng(11);
  const dim = 12;
  const n = 2000;
  // u: a generic direction (not a basis vector); w: orthogonal to u by Gram-Schmidt.
  const u = unit(Array.from({ length: dim }, () => rng.normal()));
  const r = Array.from({ length: dim }, () => rng.normal());
  const w = unit(r.map((x, i) => x - dot(r, u) * (u[i] ?? 0)));
  const offset = Array.from({ length: dim }, () => 10 * rng.normal()); // centring must remove it
  const x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const a = 5 * rng.normal();
    const b = 2 * rng.normal();
    for (let j = 0; j < dim; j++) x[i * dim + j] = (offset[j] ?? 0) + a * (u[j] ?? 0) + b * (w[j] ?? 0) + 0.3 * rng.normal();
  }
  const result = pca(x, n, dim);
  const [v1, v2] = result.components;
  assert.ok(v1 && v2);
  assert.ok(Math.abs(dot(v1, u)) > 0.999, `|<v1, u>| = ${Math.abs(dot(v1, u))}`);
  assert.ok(Math.abs(dot(v2, w)) > 0.995, `|<v2, w>| = ${Math.abs(dot(v2, w))}`);
  assert.ok(Math.abs(dot(v1, v2)) < 1e-6, 'components are orthogonal');
  assert.ok(Math.abs(dot(v1, v1) - 1) < 1e-9);
  // Variances ~ 25 + 0.09 and 4 + 0.09 (sampling error ~3%); total ~ 25 + 4 + 12 * 0.09.
  assert.ok(Math.abs((result.variances[0] ?? 0) - 25.09) < 2.5, `var1 ${result.variances[0]}`);
  assert.ok(Math.abs((result.variances[1] ?? 0) - 4.09) < 0.5, `var2 ${result.variances[1]}`);
  assert.ok(Math.abs(result.totalVariance - 30.08) < 3, `total ${result.totalVariance}`);
  // The first coordinate is the projection onto v1: its sample variance is the first eigenvalue.
  assert.equal(result.coords.length, 2 * n);
  let m = 0;
  for (let i = 0; i < n; i++) m += (result.coords[2 * i] ?? 0) / n;
  let s = 0;
  for (let i = 0; i < n; i++) s += ((result.coords[2 * i] ?? 0) - m) ** 2 / (n - 1);
  assert.ok(Math.abs(m) < 1e-3, 'coords are centred');
  assert.ok(Math.abs(s / (result.variances[0] ?? 1) - 1) < 1e-3, `coord variance ${s}`);
});

test('pca is deterministic and sign-stable', () => {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 50 * 4 }, (_, i) => rng.normal() * (1 + (i % 4)));
  const a = pca(x, 50, 4);
  const b = pca(x, 50, 4);
  assert.deepEqual(a.coords, b.coords);
  for (const v of a.components) {
    const big = [...v].reduce((best, c) => (Math.abs(c) > Math.abs(best) ? c : best), 0);
    assert.ok(big > 0, 'largest coordinate is positive');
  }
});

test('pca of one-dimensional data gives one component', () => {
  const x = Float32Array.from([1, 2, 3, 4, 6]);
  const result = pca(x, 5, 1);
  assert.equal(result.components.length, 1);
  assert.ok(Math.abs((result.variances[0] ?? 0) - 3.7) < 1e-9);
});
