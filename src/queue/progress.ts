// A cell's progress as its job shows it (epoch, step, loss, accuracy), read from the run's metrics log
// while it is written: the log is the trainer's own record, so the queue needs no hook into the loop.

import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { type MetricsRecord, readMetrics } from '../train/metrics_log.ts';

export interface CellProgress {
  stage: string;
  /** The epoch running (1-based) or just evaluated, of `epochs`. */
  epoch: number;
  epochs: number;
  step: number;
  loss: number;
  /** Mean accuracy on the training batches so far, for graphs with a classifier. */
  accuracy?: number;
  /** The latest end-of-epoch evaluation: kNN accuracy of the encoder (stage 1), test accuracy (classifiers). */
  knnAccuracy?: number;
  testAccuracy?: number;
}

const num = (v: MetricsRecord[string] | undefined): number | undefined => (typeof v === 'number' ? v : undefined);

/** `progress` after one more metrics record; `epochsOf` gives a stage's planned epochs. */
export function foldProgress(progress: CellProgress | undefined, record: MetricsRecord, epochsOf: (stage: string) => number): CellProgress | undefined {
  const { kind, stage } = record;
  if (kind === 'done') {
    const test = num(record.test_accuracy);
    return progress && test !== undefined ? { ...progress, testAccuracy: test } : progress;
  }
  const epoch = num(record.epoch);
  const step = num(record.step);
  if ((kind !== 'step' && kind !== 'epoch') || typeof stage !== 'string' || epoch === undefined || step === undefined) return progress;
  // Evaluations carry over within a stage; a new stage starts without them.
  const kept = progress?.stage === stage ? progress : undefined;
  const next: CellProgress = { ...kept, stage, epoch: epoch + 1, epochs: epochsOf(stage), step, loss: num(record.loss) ?? kept?.loss ?? Number.NaN };
  if (kind === 'step') {
    const accuracy = num(record.accuracy);
    if (accuracy !== undefined) next.accuracy = accuracy;
    return next;
  }
  const train = num(record.train_accuracy);
  const knn = num(record.knn_accuracy);
  const test = num(record.test_accuracy);
  if (train !== undefined) next.accuracy = train;
  if (knn !== undefined) next.knnAccuracy = knn;
  if (test !== undefined) next.testAccuracy = test;
  return next;
}

/** Reads the records appended to a metrics log since the last call (whole lines only; the file may not exist yet). */
export class MetricsTail {
  private offset = 0;
  private partial = Buffer.alloc(0);

  constructor(readonly path: string) {}

  read(): MetricsRecord[] {
    if (!existsSync(this.path)) return [];
    const fd = openSync(this.path, 'r');
    let chunk: Buffer;
    try {
      const size = fstatSync(fd).size;
      if (size <= this.offset) return [];
      chunk = Buffer.alloc(size - this.offset);
      const read = readSync(fd, chunk, 0, chunk.length, this.offset);
      this.offset += read;
      chunk = chunk.subarray(0, read);
    } finally {
      closeSync(fd);
    }
    const bytes = Buffer.concat([this.partial, chunk]);
    const end = bytes.lastIndexOf(0x0a) + 1;
    this.partial = Buffer.from(bytes.subarray(end));
    return readMetrics(bytes.subarray(0, end).toString('utf8'));
  }
}
