// The queue worker: a BullMQ Worker that takes cells and runs each in a child process (cell_process.ts,
// one per cell at a time, reused for the next cell after one that finished) on the shared run store. This
// process only waits on children, so its event loop is always free to renew the cells' locks and answer
// Redis. How a cell can end:
//   done                 the child's result row becomes the job's return value
//   failed, permanent    (an invalid config, an unreadable data set) UnrecoverableError: no retry
//   failed otherwise     or the child died (a crash, an out-of-memory kill): BullMQ retries it with
//                        backoff up to the job's attempts, and the next try resumes from the checkpoint
//   worker gone          (SIGKILL, a lost machine) its lock expires and another worker's stalled-job
//                        check puts the cell back in the queue; its child exits with it
//   lock lost            (Redis away for longer than the lock) the child is stopped so that two
//                        processes never train one folder; the cell comes back through the stall check
//   worker stopping      (SIGINT / SIGTERM) children are stopped and their cells put back to waiting

import { hostname } from 'node:os';
import { type Job, UnrecoverableError, WaitingError, Worker } from 'bullmq';
import type { TrainConfig } from '../config/train_config.ts';
import type { ResultRow } from '../report/index.ts';
import { formatCell } from '../report/results_table.ts';
import { CellProcessHandle } from './cell_process_handle.ts';
import { CELL_QUEUE, type CellJob, type CellTask, cellDir } from './cells.ts';
import { redisOptions, shownUrl } from './connection.ts';
import type { CellProgress } from './progress.ts';

export interface CellWorkerOptions {
  url: string;
  /** The run store shared by all workers (absolute). */
  runs: string;
  /** Cells run at once, each in its own process. */
  concurrency: number;
  /** ONNX Runtime threads of every cell (its config's threads when absent; where those are 0, `cores / concurrency`). */
  threads?: number;
  cores: number;
  /** ms a cell's lock lives without renewal: a vanished worker's cells go back to the queue after about this, checked as often. */
  lockDuration: number;
  /** Where the worker's lines go (the cells' output included). */
  log: (line: string) => void;
}

export interface CellWorker {
  /**
   * Stops the running cells (their checkpoints stay), puts them back in the queue and disconnects; when
   * Redis does not answer within CLOSE_WAIT_MS it stops waiting, and its connection retries until the
   * process exits.
   */
  close(): Promise<void>;
}

/** Times a cell may be given back by vanished workers before it fails. */
const MAX_STALLED = 3;

/** ms a stopping worker waits for Redis to take back its cells. */
const CLOSE_WAIT_MS = 5000;

/** Sends the newest progress only, one update at a time; a Redis outage delays it without piling up. */
function progressSender(job: Job): { update(p: CellProgress): void; flush(): Promise<void> } {
  let latest: CellProgress | undefined;
  let inFlight: Promise<void> | undefined;
  const pump = (): Promise<void> => {
    inFlight ??= (async () => {
      while (latest) {
        const p = latest;
        latest = undefined;
        await job.updateProgress(p).catch(() => undefined);
      }
      inFlight = undefined;
    })();
    return inFlight;
  };
  return { update: (p) => void ((latest = p), pump()), flush: pump };
}

export function startCellWorker(options: CellWorkerOptions): CellWorker {
  const { log } = options;
  // The name each job's processedBy records (status shows it).
  const name = `${hostname()}:${process.pid}`;
  /** Processes that finished their last cell, waiting for the next; and those running one, by job id. */
  const idle: CellProcessHandle[] = [];
  const running = new Map<string, CellProcessHandle>();
  const lostLocks = new Set<string>();
  let closing = false;

  const threadsOf = (config: TrainConfig): number =>
    options.threads ?? (config.threads > 0 ? config.threads : Math.max(1, Math.floor(options.cores / options.concurrency)));

  async function runCell(job: Job<CellJob, ResultRow>, token?: string): Promise<ResultRow> {
    const id = job.id ?? job.name;
    const task: CellTask = { cell: job.data, dir: cellDir(options.runs, job.data), threads: threadsOf(job.data.config) };
    log(`${id}: ${job.data.label}: try ${job.attemptsStarted} in ${task.dir} (${task.threads} ONNX Runtime thread(s))`);
    const cellProcess = idle.pop() ?? new CellProcessHandle(log);
    running.set(id, cellProcess);
    const progress = progressSender(job);
    const end = await cellProcess.run(task, id, progress.update);
    running.delete(id);
    await progress.flush();
    // A process that answered cleanly (done, or a failure another try would repeat) takes the next cell;
    // any other is ended, so that the next cell starts in a fresh one.
    if ((end.kind === 'done' || (end.kind === 'failed' && end.permanent)) && !closing && cellProcess.alive) idle.push(cellProcess);
    else cellProcess.kill('SIGKILL');
    if (end.kind === 'done') return end.row;
    if (end.kind === 'failed') throw end.permanent ? new UnrecoverableError(end.message) : new Error(end.message);
    if (lostLocks.delete(id)) throw new Error('stopped: this worker lost the cell\'s lock (Redis was unreachable for longer than it), so another worker may have taken it');
    if (closing && token) {
      await job.moveToWait(token);
      throw new WaitingError();
    }
    throw new Error(`the cell's process ${end.how}`);
  }

  const worker = new Worker<CellJob, ResultRow>(CELL_QUEUE, runCell, {
    connection: redisOptions(options.url, true),
    name,
    concurrency: options.concurrency,
    lockDuration: options.lockDuration,
    stalledInterval: options.lockDuration,
    maxStalledCount: MAX_STALLED,
  });

  // A Redis outage repeats its errors at every reconnect attempt: say the first, and when it is over.
  let disconnected = false;
  const lost = (message: string): void => {
    if (!disconnected) log(`queue: ${message} (${shownUrl(options.url)}; reconnecting)`);
    disconnected = true;
  };
  worker.on('error', (err) => lost(err.message));
  worker.on('ioredis:close', () => lost('lost the connection to Redis'));
  worker.getBackend().on('ready', () => {
    if (disconnected) log(`queue: connected to ${shownUrl(options.url)} again`);
    disconnected = false;
  });
  worker.on('lockRenewalFailed', (ids: string[]) => {
    for (const id of ids) {
      const cellProcess = running.get(id);
      if (!cellProcess) continue;
      lostLocks.add(id);
      cellProcess.kill('SIGKILL');
    }
  });
  worker.on('stalled', (id) => log(`${id}: its worker vanished; back in the queue, to resume from its checkpoint`));
  worker.on('completed', (job, row) => log(`${job.id}: done${row['test acc'] === undefined ? '' : `, test acc ${formatCell(row['test acc'])}`}`));
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    log(`${job.id}: failed (try ${job.attemptsStarted}${final ? ', no more tries' : ', will be retried'}): ${err.message}`);
  });

  log(`worker ${name} on ${shownUrl(options.url)}: run store ${options.runs}, ${options.concurrency} cell(s) at a time`);
  return {
    async close() {
      closing = true;
      for (const cellProcess of [...idle, ...running.values()]) cellProcess.kill('SIGTERM');
      // Closing gracefully waits for Redis; when it is away, stop waiting: the cells this worker ran come
      // back through another worker's stall check, as a vanished worker's do.
      const closed = worker.close().then(() => true);
      if (!(await Promise.race([closed, new Promise<false>((r) => setTimeout(r, CLOSE_WAIT_MS, false).unref())]))) {
        log(`queue: ${shownUrl(options.url)} does not answer; leaving without it (this worker's running cells return to the queue after --lock-duration)`);
      }
    },
  };
}
