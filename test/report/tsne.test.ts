import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/data/rng.ts';
import { tsne } from '../../src/report/tsne.ts';

/** Fraction of points whose nearest neighbour in the 2-D map carries the same label. */
function neighbourPurity(y: Float32Array, labels: number[]): number {
  const n = labels.length;
  let same = 0;
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestD = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const d = ((y[2 * i] ?? 0) - (y[2 * j] ?? 0)) ** 2 + ((y[2 * i + 1] ?? 0) - (y[2 * j + 1] ?? 0)) ** 2;
      if (d < bestD) [best, bestD] = [j, d];
    }
    if (labels[best] === labels[i]) same++;
  }
  return same / n;
}

function twoClusters(perCluster: number, dim: number, seed: number): { x: Float32Array; labels: number[] } {
  const rng = new Rng(seed);
  const n = 2 * perCluster;
  const x = new Float32Array(n * dim);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 2; // interleaved, so order cannot separate them
    labels.push(c);
    for (let j = 0; j < dim; j++) x[i * dim + j] = (c === 1 && j < 3 ? 12 : 0) + rng.normal();
  }
  return { x, labels };
}

test('t-SNE separates two well-separated clusters', () => {
  const { x, labels } = twoClusters(60, 10, 5);
  const y = tsne(x, labels.length, 10, { seed: 1, iterations: 400 });
  assert.equal(y.length, 2 * labels.length);
  assert.ok(y.every(Number.isFinite));
  assert.equal(neighbourPurity(y, labels), 1);
  // The clusters are also apart as wholes: centroid gap well above the mean within-cluster spread.
  const centroid = (c: number): [number, number] => {
    const idx = labels.flatMap((l, i) => (l === c ? [i] : []));
    return [0, 1].map((k) => idx.reduce((s, i) => s + (y[2 * i + k] ?? 0), 0) / idx.length) as [number, number];
  };
  const [a, b] = [centroid(0), centroid(1)];
  const gap = Math.hypot(a[0] - b[0], a[1] - b[1]);
  const spread = labels.reduce((s, l, i) => {
    const c = l === 0 ? a : b;
    return s + Math.hypot((y[2 * i] ?? 0) - c[0], (y[2 * i + 1] ?? 0) - c[1]) / labels.length;
  }, 0);
  assert.ok(gap > 3 * spread, `gap ${gap} vs spread ${spread}`);
});

test('t-SNE is reproducible for a seed', () => {
  const { x, labels } = twoClusters(15, 4, 9);
  const opts = { seed: 4, iterations: 100 };
  assert.deepEqual(tsne(x, labels.length, 4, opts), tsne(x, labels.length, 4, opts));
  assert.notDeepEqual(tsne(x, labels.length, 4, opts), tsne(x, labels.length, 4, { ...opts, seed: 5 }));
});
