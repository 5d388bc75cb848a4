// Checks of a job's numbers (epochs, batch, learning rates, seed), so that a mistyped field gets a
// message naming it instead of a stage that trains nothing or diverges. Pure: the page checks before
// it starts a worker, the trainer again whatever called it.

import { TrainError } from './errors.ts';
import type { StageOptions, TrainJob } from './job.ts';

export const MAX_EPOCHS = 10_000;

function checkStage(label: string, o: StageOptions): void {
  const fail = (what: string, value: number): never => {
    throw new TrainError('data', `${label}: ${what}, got ${Number.isNaN(value) ? 'nothing' : value}`);
  };
  if (!Number.isInteger(o.epochs) || o.epochs < 1 || o.epochs > MAX_EPOCHS) fail(`epochs must be a whole number from 1 to ${MAX_EPOCHS}`, o.epochs);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 2) fail('the batch must be a whole number of at least 2', o.batchSize);
  if (!Number.isFinite(o.lr) || o.lr <= 0) fail('the learning rate must be a number above 0', o.lr);
}

/** Throws a TrainError naming the first field out of range. */
export function checkJobOptions(job: Pick<TrainJob, 'supcon' | 'stage2' | 'seed'>): void {
  if (!Number.isInteger(job.seed) || job.seed < 0) throw new TrainError('data', `the seed must be a whole number of at least 0, got ${Number.isNaN(job.seed) ? 'nothing' : job.seed}`);
  if (job.supcon) checkStage('SupCon fine-tuning', job.supcon);
  checkStage('Linear classifier', job.stage2);
}
