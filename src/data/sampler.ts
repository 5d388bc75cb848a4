// Batch order of one epoch: a seeded shuffle, deterministic per (seed, epoch).
//
// With `minPerClass: k`, every batch holds at least k images of each class present in it, so every
// SupCon anchor has a positive from another image, not only its own second view. Construction
// (as pytorch-metric-learning's MPerClassSampler): per class, shuffle and cut into groups of exactly
// k; shuffle all groups; fill batches with whole groups. The n mod k images a class has over a
// multiple of k sit out this epoch; they differ from epoch to epoch since classes are reshuffled.
// Classes with fewer than k images can never satisfy the property and are left out.

import { Rng } from './rng.ts';

export interface EpochOrderOptions {
  seed: number;
  epoch: number;
  batchSize: number;
  /** Drop the last, smaller batch (training); keep it for evaluation. */
  dropLast: boolean;
  /** At least this many images of every class in a batch (SupCon: 2); must divide batchSize. */
  minPerClass?: number;
  /** false = indices in order 0..length-1 (evaluation). Default true. */
  shuffle?: boolean;
}

const SAMPLER_KEY = 0x5a3b1e;

function chunk(order: Int32Array, batchSize: number, dropLast: boolean): Int32Array[] {
  const batches: Int32Array[] = [];
  for (let start = 0; start < order.length; start += batchSize) {
    const end = Math.min(order.length, start + batchSize);
    if (end - start < batchSize && dropLast) break;
    batches.push(order.slice(start, end));
  }
  return batches;
}

/** Batches of sample indices for one epoch. */
export function epochOrder(length: number, labels: ArrayLike<number>, opts: EpochOrderOptions): Int32Array[] {
  const { batchSize, dropLast } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  if (labels.length !== length) throw new RangeError(`epochOrder: ${labels.length} labels for ${length} samples`);
  const k = opts.minPerClass ?? 1;
  if (opts.shuffle === false) return chunk(Int32Array.from({ length }, (_, i) => i), batchSize, dropLast);
  const rng = new Rng(opts.seed).fork(SAMPLER_KEY, opts.epoch);
  if (k <= 1) return chunk(rng.shuffle(Int32Array.from({ length }, (_, i) => i)), batchSize, dropLast);

  if (batchSize % k !== 0) throw new RangeError(`batchSize ${batchSize} must be a multiple of minPerClass ${k}`);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < length; i++) {
    const l = labels[i] ?? 0;
    const list = byClass.get(l);
    if (list === undefined) byClass.set(l, [i]);
    else list.push(i);
  }
  const groups: number[][] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = rng.shuffle(byClass.get(label) ?? []);
    for (let g = 0; g + k <= members.length; g += k) groups.push(members.slice(g, g + k));
  }
  rng.shuffle(groups);
  const order = Int32Array.from(groups.flat());
  // batchSize is a multiple of k and every group has k members, so cutting never splits a group.
  return chunk(order, batchSize, dropLast);
}
