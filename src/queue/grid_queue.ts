// What `experiment --queue` and `experiment status` ask of the queue: enqueue an experiment's cells
// (each under its derived id, so a second enqueue adds nothing) and read back where each one stands.

import { type Job, Queue } from 'bullmq';
import type { ResultRow } from '../report/index.ts';
import { CELL_QUEUE, type CellJob, cellJobId } from './cells.ts';
import { redisError, redisOptions } from './connection.ts';
import type { CellProgress } from './progress.ts';

export interface EnqueueOptions {
  /** Tries of a cell whose process died (a crash, an out-of-memory kill); permanent failures get one. */
  attempts: number;
  /** Delay before the first retry in ms, doubling with each further one. */
  backoffMs: number;
  /** Put cells that failed back in the queue (after fixing what made them fail). */
  retryFailed: boolean;
}

export interface EnqueueResult {
  added: string[];
  /** Already in the queue (waiting, running, done or failed): left as they are. */
  present: string[];
  /** Failed cells put back by `retryFailed`. */
  retried: string[];
}

export type CellQueue = Queue<CellJob, ResultRow>;

/** The cell queue on `url`: `persistent` keeps reconnecting through a Redis restart (status --watch). */
export function openQueue(url: string, persistent: boolean): CellQueue {
  return new Queue<CellJob, ResultRow>(CELL_QUEUE, { connection: redisOptions(url, persistent) });
}

/** Runs `use` on a one-shot connection to the queue and closes it; connection failures name the URL. */
export async function withQueue<T>(url: string, use: (queue: CellQueue) => Promise<T>): Promise<T> {
  const queue = openQueue(url, false);
  queue.on('error', () => undefined); // reported by the failing call below
  try {
    await queue.waitUntilReady();
    return await use(queue);
  } catch (err) {
    throw redisError(url, err);
  } finally {
    await queue.close().catch(() => undefined);
  }
}

export async function enqueueCells(queue: CellQueue, cells: readonly CellJob[], options: EnqueueOptions): Promise<EnqueueResult> {
  const result: EnqueueResult = { added: [], present: [], retried: [] };
  for (const cell of cells) {
    const jobId = cellJobId(cell);
    const existing = await queue.getJob(jobId);
    if (!existing) {
      await queue.add(cell.label, cell, { jobId, attempts: options.attempts, backoff: { type: 'exponential', delay: options.backoffMs } });
      result.added.push(jobId);
    } else if (options.retryFailed && (await existing.getState()) === 'failed') {
      await existing.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
      result.retried.push(jobId);
    } else {
      result.present.push(jobId);
    }
  }
  return result;
}

/** A cell's state word: waiting (also while a retry is delayed), active, done, failed, or not queued. */
export type CellState = 'waiting' | 'active' | 'done' | 'failed' | 'not queued';

export interface CellStatus {
  cell: CellJob;
  id: string;
  state: CellState;
  /** Times a worker has started it. */
  attempts: number;
  progress?: CellProgress;
  /** The results-table row of a done cell. */
  row?: ResultRow;
  /** Why it failed (or, while waiting for a retry, why the last try failed). */
  error?: string;
  /** The worker running it (host:pid). */
  worker?: string;
}

const STATE_WORDS: Readonly<Record<string, CellState>> = { completed: 'done', failed: 'failed', active: 'active' };

function statusOf(cell: CellJob, id: string, job: Job<CellJob, ResultRow> | undefined, state: string): CellStatus {
  if (!job) return { cell, id, state: 'not queued', attempts: 0 };
  const word = STATE_WORDS[state] ?? 'waiting';
  const progress = job.progress;
  return {
    cell, id, state: word, attempts: job.attemptsStarted,
    ...(typeof progress === 'object' && progress !== null && 'stage' in progress ? { progress: progress as CellProgress } : {}),
    ...(word === 'done' && job.returnvalue ? { row: job.returnvalue } : {}),
    ...(job.failedReason ? { error: job.failedReason } : {}),
    ...(word === 'active' && job.processedBy ? { worker: job.processedBy } : {}),
  };
}

export async function cellStatuses(queue: CellQueue, cells: readonly CellJob[]): Promise<CellStatus[]> {
  return Promise.all(cells.map(async (cell) => {
    const id = cellJobId(cell);
    const job = await queue.getJob(id);
    return statusOf(cell, id, job, job ? await job.getState() : 'unknown');
  }));
}

/** No cell will change any more: all done or failed (or never queued). */
export function settled(statuses: readonly CellStatus[]): boolean {
  return statuses.every((s) => s.state === 'done' || s.state === 'failed' || s.state === 'not queued');
}

/** One row per cell, for the status table. */
export function statusRows(statuses: readonly CellStatus[]): ResultRow[] {
  return statuses.map((s) => {
    const p = s.progress;
    const test = s.row?.['test acc'] ?? p?.testAccuracy;
    const note = s.state === 'active' ? (s.worker ? `on ${s.worker}` : '') : s.state === 'done' ? '' : s.state === 'waiting' && s.error ? `last try: ${s.error}` : (s.error ?? '');
    return {
      cell: s.cell.label,
      state: s.state,
      attempts: s.attempts,
      epoch: p ? `${p.stage} ${p.epoch}/${p.epochs}` : '-',
      step: p?.step ?? '-',
      loss: p && Number.isFinite(p.loss) ? p.loss : '-',
      'test acc': test ?? '-',
      note,
    };
  });
}
