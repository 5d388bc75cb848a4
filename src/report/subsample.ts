// Stratified subsampling for the embedding maps: at most `max` points, each class keeping its share,
// so a rare class does not vanish from the map and t-SNE stays within its O(n^2) budget.

import { Rng } from '../data/rng.ts';

/**
 * Returns ascending indices into `labels`. Each class is shuffled (seeded), its members get keys
 * (rank + 0.5) / classSize, and the `max` smallest keys are kept: every class contributes in
 * proportion to its size, rounding decided by the keys rather than by class order.
 */
export function stratifiedSample(labels: Int32Array, max: number, seed = 0): number[] {
  if (labels.length <= max) return Array.from(labels, (_, i) => i);
  const byClass = new Map<number, number[]>();
  labels.forEach((label, i) => {
    const members = byClass.get(label);
    if (members) members.push(i);
    else byClass.set(label, [i]);
  });
  const rng = new Rng(seed);
  const keyed: Array<{ index: number; key: number }> = [];
  for (const members of byClass.values()) {
    rng.shuffle(members);
    members.forEach((index, rank) => keyed.push({ index, key: (rank + 0.5) / members.length }));
  }
  keyed.sort((a, b) => a.key - b.key || a.index - b.index);
  return keyed
    .slice(0, max)
    .map((k) => k.index)
    .sort((a, b) => a - b);
}

/** Gathers rows `indices` of a [n, dim] row-major matrix. */
export function gatherRows(vectors: Float32Array, dim: number, indices: number[]): Float32Array {
  const out = new Float32Array(indices.length * dim);
  indices.forEach((row, i) => out.set(vectors.subarray(row * dim, (row + 1) * dim), i * dim));
  return out;
}
