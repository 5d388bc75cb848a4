// The cells of an experiment as queue jobs: what a job carries, its id, its folder in the shared run
// store, and the messages between a worker and the process that runs one cell. Type-only imports keep
// this module light: the worker's main process loads it without the trainer.

import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { TrainConfig } from '../config/train_config.ts';
import type { ResultRow } from '../report/index.ts';
import type { CellProgress } from './progress.ts';

/** The one queue every experiment's cells go to, so a worker needs only the Redis URL. */
export const CELL_QUEUE = 'supcon-cells';

/** One run of an experiment grid, as enqueued. */
export interface CellJob {
  /** The spec's name: the cell's folder is <run store>/<experiment>/<index>-<hash>/. */
  experiment: string;
  /** Position in the experiment's table. */
  index: number;
  /** The grid point, as the results table's `setting` column names it. */
  label: string;
  /** The resolved, validated configuration (named <experiment>-<index>, as the local grid names it). */
  config: TrainConfig;
  /** Wall-clock budget in minutes: the worker fits the epochs to it on its own machine before training. */
  minutes?: number;
}

/** What one cell's process is asked to do. */
export interface CellTask {
  cell: CellJob;
  dir: string;
  /** ONNX Runtime threads of the run. */
  threads: number;
}

/** From a cell's process to its worker: progress while it trains, then one outcome. */
export type CellMessage =
  | { kind: 'progress'; progress: CellProgress }
  | { kind: 'done'; row: ResultRow }
  /** `permanent`: a failure that another try would repeat (an invalid config, an unreadable data set). */
  | { kind: 'failed'; message: string; permanent: boolean };

/** 12 hex digits of the cell's configuration and budget: another config is another cell. */
function cellHash(cell: CellJob): string {
  return createHash('sha256').update(JSON.stringify({ config: cell.config, minutes: cell.minutes ?? null })).digest('hex').slice(0, 12);
}

/**
 * `<experiment>-<index>-<hash>`: derived from the cell alone, so enqueueing a spec twice adds nothing
 * and a changed cell is a new job (BullMQ ids may not contain ':').
 */
export function cellJobId(cell: CellJob): string {
  return `${cell.experiment.replace(/:/g, '_')}-${cell.index}-${cellHash(cell)}`;
}

/** The cell's run folder in the run store: a changed cell never lands in an older cell's folder. */
export function cellDir(runs: string, cell: CellJob): string {
  return join(runs, cell.experiment, `${cell.index}-${cellHash(cell)}`);
}
