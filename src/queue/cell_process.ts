// Experiment cells in a process of their own, started by the queue worker (cell_process_handle.ts): a
// crash or an out-of-memory kill here ends the cell it runs, not the worker, and ONNX Runtime, which
// blocks this process's event loop for every whole step, never blocks the worker's lock renewal. A cell
// runs as the local grid runs it (compare.ts runOrReuse): a finished run is reused, a checkpointed one
// resumed. The worker sends a CellTask; this process answers with progress messages and one outcome,
// then waits for the next. It exits when its worker goes, so a SIGKILLed worker leaves no orphan
// training into the run store.

import { readFileSync } from 'node:fs';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import { runOrReuse } from '../train/compare.ts';
import { RunFolder } from '../train/run_folder.ts';
import type { CellMessage, CellTask } from './cells.ts';
import { type CellProgress, MetricsTail, foldProgress } from './progress.ts';

/** Exit code of a cell whose worker went away. */
const ORPHANED = 75;

/** System errors that another try may not meet: I/O on a shared volume, exhausted memory or descriptors. */
const TRANSIENT_CODES = new Set(['EIO', 'ENOSPC', 'EDQUOT', 'ESTALE', 'EBUSY', 'EAGAIN', 'ENOMEM', 'EMFILE', 'ENFILE', 'ETIMEDOUT', 'ECONNRESET']);

/**
 * A thrown error is permanent (runs are deterministic: an invalid config, an unreadable data set or a
 * non-finite loss comes back on every try) unless it is a transient system error or an allocation failure.
 */
export function isPermanent(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return false;
  const message = err instanceof Error ? err.message : String(err);
  return !/bad_alloc|failed to allocate|out of memory/i.test(message);
}

function send(message: CellMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) resolve();
    else process.send!(message, undefined, {}, () => resolve());
  });
}

/** Sends the cell's progress when its metrics log has grown (called between steps: a step blocks this loop); never throws. */
function reportProgress(folder: RunFolder): () => Promise<void> {
  const tail = new MetricsTail(folder.path('metrics'));
  let config: TrainConfig | undefined;
  // config.json holds the epochs the run trains (fitted to a --minutes budget, or extended on resume).
  const epochsOf = (stage: string): number => {
    config ??= JSON.parse(readFileSync(folder.path('config'), 'utf8')) as TrainConfig;
    return config[stage as StageName]?.epochs ?? 0;
  };
  let progress: CellProgress | undefined;
  return async () => {
    try {
      const records = tail.read();
      if (records.length === 0) return;
      for (const r of records) progress = foldProgress(progress, r, epochsOf);
      if (progress) await send({ kind: 'progress', progress });
    } catch {
      // Progress is a view; the run does not depend on it.
    }
  };
}

async function runTask({ cell, dir, threads }: CellTask): Promise<CellMessage> {
  const folder = new RunFolder(dir);
  const progress = reportProgress(folder);
  const timer = setInterval(() => void progress(), 1000);
  try {
    const options = { threads, ...(cell.minutes === undefined ? {} : { minutes: cell.minutes }) };
    const row = await runOrReuse({ label: cell.label, config: cell.config }, folder, options);
    await progress();
    return { kind: 'done', row: { setting: cell.label, ...row } };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`error: ${process.env.DEBUG && err instanceof Error ? (err.stack ?? message) : message}\n`);
    return { kind: 'failed', message, permanent: isPermanent(err) };
  } finally {
    clearInterval(timer);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!process.send) throw new Error('cell_process.ts is started by the queue worker (worker.ts), with an IPC channel');
  process.on('disconnect', () => process.exit(ORPHANED));
  // Ctrl-C reaches the whole process group: the worker decides, and stops this process with SIGTERM.
  process.on('SIGINT', () => undefined);
  // One task at a time: the worker sends the next only after this one's outcome.
  process.on('message', (task: CellTask) => void runTask(task).then(send));
}
