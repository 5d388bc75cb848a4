// Host tensors the training loop drops (the previous step's parameters and optimizer state, replaced by
// each run's outputs) are ArrayBuffers that V8 frees only when it collects them, and it collects large
// external buffers lazily: without help, two or three dropped copies of the whole state pile up
// (ResNet-18 ImageNet stem, 32 x 2 views, 10 steps: peak RSS 1,156 MB; 1,051 MB with a collection
// whenever 64 MB have been dropped). A full collection of our small JavaScript heap takes milliseconds.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Collect once this many dropped bytes have piled up (a small model collects once in many steps). */
const THRESHOLD_BYTES = 64 * 2 ** 20;

let collect: (() => void) | undefined;
let dropped = 0;

/** V8's collector: `gc` where node runs with --expose-gc, else exposed now (V8 reads the flag when a context is made). */
function collector(): () => void {
  if (!collect) {
    if (typeof globalThis.gc !== 'function') setFlagsFromString('--expose-gc');
    collect = (globalThis.gc as (() => void) | undefined) ?? (runInNewContext('gc') as () => void);
  }
  return collect;
}

/** Notes that `bytes` of host tensor memory are no longer referenced. */
export function noteDropped(bytes: number): void {
  dropped += bytes;
}

/** Collects if enough dropped memory has piled up; call where no dropped tensor is still in scope. */
export function collectDropped(): void {
  if (dropped < THRESHOLD_BYTES) return;
  dropped = 0;
  collector()();
}
