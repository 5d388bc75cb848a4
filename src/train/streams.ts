// Named random streams of a run. Every consumer of randomness (a stage's initial parameters, its
// batches and augmentation, the kNN samples, the report's embedding sample, the data split) draws
// from its own stream, derived from (run seed, stream name) alone: adding a stream or changing how
// much one consumer draws never shifts another.

import { Rng } from '../data/index.ts';
import type { StageName } from '../config/train_config.ts';

export type Stream = `${StageName}.init` | `${StageName}.data` | 'split' | 'knn.bank' | 'knn.queries' | 'embeddings';

/** FNV-1a, 32 bits: a stable number for a stream name. */
function nameHash(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The seed of `stream` in a run seeded with `seed`. */
export function streamSeed(seed: number, stream: Stream): number {
  return new Rng(seed).fork(nameHash(stream)).nextU32();
}
