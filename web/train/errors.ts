// Errors a person training in the page can hit, as messages that say what to do; anything else keeps
// its own message.

export type TrainErrorKind = 'data' | 'model' | 'memory' | 'backend';

export class TrainError extends Error {
  override name = 'TrainError';
  constructor(readonly kind: TrainErrorKind, message: string) {
    super(message);
  }
}

export const messageOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

// What running out of memory looks like: the WASM heap cannot grow past its 4 GiB (ORT's allocator
// throws bad_alloc / "Failed to allocate", or the JS glue cannot grow the Memory), or WebGPU cannot
// create a buffer or loses its device.
const OUT_OF_MEMORY = /bad_alloc|out of memory|failed to allocate|cannot allocate|Array buffer allocation failed|Maximum memory size|memory.grow|OutOfMemory|device (was )?lost/i;

export function isOutOfMemory(err: unknown): boolean {
  return OUT_OF_MEMORY.test(messageOf(err));
}

/** The error of a failed stage as the page shows it: out of memory becomes advice to use a smaller batch. */
export function stageFailure(err: unknown, where: { stage: string; backend: string; batchSize: number }): Error {
  if (err instanceof TrainError) return err;
  if (!isOutOfMemory(err)) return new Error(`${where.stage} failed on ${where.backend}: ${messageOf(err)}`);
  const smaller = Math.max(2, Math.floor(where.batchSize / 2));
  return new TrainError('memory', `Out of memory on ${where.backend} in ${where.stage} at batch ${where.batchSize}: try a smaller batch (${smaller}). (${messageOf(err).split('\n')[0]})`);
}
