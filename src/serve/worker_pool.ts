// A pool of inference worker threads. Requests queue on the main thread; an idle worker takes up to
// `maxBatch` queued tasks at once and answers them with one session run (micro-batching under load).
//
// Nothing waits forever:
// - a task not answered within `timeoutMs` fails with 'timeout'; a worker still on one batch after
//   `timeoutMs` is taken as stuck and terminated;
// - a worker that exits (crash, out of memory, terminate) fails its in-flight tasks with 'unavailable'
//   and is replaced after a backoff that doubles with each failure in a row (100 ms up to 10 s);
// - while no worker is ready, new tasks fail at once with 'unavailable';
// - a task whose client went away (its AbortSignal) is dropped while it still waits in the queue;
// - close() drains for at most `graceMs`, then fails what is left.

import { Worker } from 'node:worker_threads';
import { messageOf } from '../runtime/ep_error.ts';
import type { ExecutionProvider } from '../runtime/providers.ts';
import type { ModelMetadata } from '../export/metadata.ts';
import type { FailureCode, FromWorker, Task, TaskKind, TaskResult, ToWorker, WorkerInit } from './worker_protocol.ts';

export interface PoolOptions {
  modelPath: string;
  /** Worker threads, each with its own ORT sessions (default 2). */
  workers?: number;
  /** ORT intra-op threads per worker (default 1: workers x threads should not exceed the cores). */
  threadsPerWorker?: number;
  /** Execution provider of the workers' sessions (default cpu). */
  ep?: ExecutionProvider;
  /** Most tasks one worker answers in one run (default 16). */
  maxBatch?: number;
  /** Most milliseconds from run() to the answer, queueing included (default 30 s). */
  timeoutMs?: number;
  /** Largest image (width x height) the workers decode (default: defaultMaxPixels of the model). */
  maxPixels?: number;
  /** Where worker exits, restarts and stuck workers are reported (default: nowhere). */
  log?: (line: string) => void;
}

export interface PoolStats {
  /** Workers ready for tasks. */
  workers: number;
  /** Replacements waiting out their backoff or loading the model. */
  starting: number;
  /** Workers answering a batch, tasks in those batches, tasks waiting for a worker. */
  busy: number;
  running: number;
  queued: number;
  /** Counts since start: replacements started, tasks answered by a worker, dropped (client gone), timed out. */
  restarts: number;
  answered: number;
  dropped: number;
  timedOut: number;
}

interface Pending {
  task: Task;
  resolve: (r: TaskResult) => void;
  /** The task's deadline. */
  timer: NodeJS.Timeout;
  /** Removes the abort listener. */
  detach: () => void;
}

interface Slot {
  worker: Worker;
  batch: Pending[] | undefined;
  /** Fires when the batch runs past timeoutMs: the worker is stuck and is terminated. */
  watchdog: NodeJS.Timeout | undefined;
  stuck: boolean;
}

type ResolvedOptions = Required<Omit<PoolOptions, 'maxPixels' | 'log'>> & Pick<PoolOptions, 'maxPixels' | 'log'>;

const WORKER_URL = new URL('./inference_worker.ts', import.meta.url);
const BACKOFF_MIN_MS = 100;
const BACKOFF_MAX_MS = 10_000;

const failure = (id: number, code: FailureCode, message: string): TaskResult => ({ id, ok: false, code, message });

export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private readonly restartTimers = new Set<NodeJS.Timeout>();
  private readonly spawning = new Set<Promise<unknown>>();
  private readonly counts = { restarts: 0, answered: 0, dropped: 0, timedOut: 0 };
  private idleWaiters: (() => void)[] = [];
  private starting = 0;
  private failuresInARow = 0;
  private nextId = 1;
  private closing = false;

  private constructor(
    readonly metadata: ModelMetadata,
    private readonly options: ResolvedOptions,
  ) {}

  static async start(options: PoolOptions): Promise<InferencePool> {
    const opts: ResolvedOptions = { workers: 2, threadsPerWorker: 1, maxBatch: 16, ep: 'cpu', timeoutMs: 30_000, ...options };
    const spawned = await Promise.allSettled(Array.from({ length: Math.max(1, opts.workers) }, () => spawn(opts)));
    const failed = spawned.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const ready = spawned.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    if (failed || ready.length === 0) {
      await Promise.all(ready.map((r) => r.worker.terminate()));
      throw failed?.reason instanceof Error ? failed.reason : new Error(String(failed?.reason));
    }
    const pool = new InferencePool(ready[0]!.metadata, opts);
    for (const r of ready) pool.adopt(r.worker);
    return pool;
  }

  /** Queues one image; resolves with the worker's answer or a failure (never rejects, never hangs). */
  run(kind: TaskKind, bytes: Uint8Array, topK: number, signal?: AbortSignal): Promise<TaskResult> {
    const id = this.nextId++;
    if (this.closing) return Promise.resolve(failure(id, 'unavailable', 'the server is shutting down'));
    if (this.slots.length === 0) return Promise.resolve(failure(id, 'unavailable', 'no inference worker is ready (a replacement is starting)'));
    if (signal?.aborted) {
      this.counts.dropped++;
      return Promise.resolve(failure(id, 'aborted', 'the client went away'));
    }
    return new Promise((resolve) => {
      const onAbort = (): void => {
        if (!this.unqueue(pending)) return; // already with a worker: its answer is discarded
        this.counts.dropped++;
        this.settle(pending, failure(id, 'aborted', 'the client went away'));
      };
      const pending: Pending = {
        task: { id, kind, bytes, topK },
        resolve,
        timer: setTimeout(() => {
          this.unqueue(pending);
          this.counts.timedOut++;
          this.settle(pending, failure(id, 'timeout', `not answered within ${this.options.timeoutMs} ms`));
        }, this.options.timeoutMs),
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.queue.push(pending);
      this.dispatch();
    });
  }

  stats(): PoolStats {
    const batches = this.slots.flatMap((s) => (s.batch ? [s.batch.length] : []));
    return { workers: this.slots.length, starting: this.starting, busy: batches.length, running: batches.reduce((a, b) => a + b, 0), queued: this.queue.length, ...this.counts };
  }

  /** The live worker threads (diagnostics, and the fault tests that kill one). */
  workerThreads(): Worker[] {
    return this.slots.map((s) => s.worker);
  }

  /** Stops taking work, lets queued and running tasks finish for up to `graceMs`, fails the rest, ends the workers. */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    for (const t of this.restartTimers) clearTimeout(t);
    this.restartTimers.clear();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        this.idleWaiters.push(resolve);
        this.dispatch();
      }),
      new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
    ]);
    clearTimeout(timer);
    const left = [...this.queue.splice(0), ...this.slots.flatMap((s) => s.batch ?? [])];
    for (const p of left) this.settle(p, failure(p.task.id, 'unavailable', 'the server shut down before answering'));
    await Promise.all([...this.slots.map((s) => s.worker.terminate()), ...this.spawning]);
  }

  private settle(p: Pending, result: TaskResult): void {
    clearTimeout(p.timer);
    p.detach();
    p.resolve(result); // a second settle (a late answer after a timeout) is a no-op
    this.dispatch();
  }

  private unqueue(p: Pending): boolean {
    const i = this.queue.indexOf(p);
    if (i >= 0) this.queue.splice(i, 1);
    return i >= 0;
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, batch: undefined, watchdog: undefined, stuck: false };
    this.slots.push(slot);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'results' || !slot.batch) return;
      const byId = new Map(slot.batch.map((p) => [p.task.id, p]));
      slot.batch = undefined;
      clearTimeout(slot.watchdog);
      this.failuresInARow = 0; // this worker answers: the next failure starts the backoff afresh
      this.counts.answered += msg.results.length;
      for (const r of msg.results) {
        const p = byId.get(r.id);
        if (p) this.settle(p, r);
      }
      this.dispatch();
    });
    worker.on('error', (err) => this.options.log?.(`inference worker error: ${err.message}`)); // 'exit' follows
    worker.on('exit', (code) => {
      clearTimeout(slot.watchdog);
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      const [why, reason] = slot.stuck
        ? (['timeout', `the inference worker took over ${this.options.timeoutMs} ms and was stopped`] as const)
        : (['unavailable', `the inference worker exited (code ${code}) while answering; retry`] as const);
      for (const p of slot.batch ?? []) this.settle(p, failure(p.task.id, why, reason));
      slot.batch = undefined;
      if (!this.closing) this.restart(`inference worker exited (code ${code})`);
      this.dispatch();
    });
  }

  private restart(cause: string): void {
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.failuresInARow++);
    this.counts.restarts++;
    this.starting++;
    this.options.log?.(`${cause}; starting a replacement in ${delay} ms`);
    const timer = setTimeout(() => {
      this.restartTimers.delete(timer);
      const started = spawn(this.options).then(
        (r) => {
          if (this.closing) return r.worker.terminate();
          this.adopt(r.worker);
          this.options.log?.('replacement inference worker ready');
          return undefined;
        },
        (err: unknown) => {
          if (this.closing) return;
          // With no worker left, queued tasks would only wait out their deadline.
          if (this.slots.length === 0) for (const p of this.queue.splice(0)) this.settle(p, failure(p.task.id, 'unavailable', 'no inference worker could be started'));
          this.restart(`a replacement inference worker failed to start: ${messageOf(err)}`);
        },
      );
      this.spawning.add(started);
      void started.finally(() => {
        this.spawning.delete(started);
        this.starting--;
        this.dispatch();
      });
    }, delay);
    this.restartTimers.add(timer);
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.batch) continue;
      const batch = this.queue.splice(0, this.options.maxBatch);
      slot.batch = batch;
      slot.watchdog = setTimeout(() => {
        slot.stuck = true;
        // Out of the pool at once (no more work, not counted as ready); 'exit' fails its batch and replaces it.
        this.slots.splice(this.slots.indexOf(slot), 1);
        this.options.log?.(`an inference worker ran one batch for over ${this.options.timeoutMs} ms; stopping it`);
        void slot.worker.terminate();
      }, this.options.timeoutMs);
      const msg: ToWorker = { type: 'batch', tasks: batch.map((p) => p.task) };
      slot.worker.postMessage(msg);
    }
    if (this.queue.length === 0 && !this.slots.some((s) => s.batch)) for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** Starts one worker and waits for its sessions to load. */
function spawn(opts: ResolvedOptions): Promise<{ worker: Worker; metadata: ModelMetadata }> {
  const init: WorkerInit = { modelPath: opts.modelPath, threads: opts.threadsPerWorker, ep: opts.ep, maxPixels: opts.maxPixels };
  const worker = new Worker(WORKER_URL, { workerData: init });
  return new Promise((resolve, reject) => {
    const onMessage = (msg: FromWorker): void => {
      worker.off('exit', onExit);
      worker.off('message', onMessage);
      if (msg.type === 'ready') resolve({ worker, metadata: msg.metadata });
      else reject(new Error(msg.type === 'init_error' ? msg.message : `unexpected ${msg.type} from a starting worker`));
    };
    const onExit = (code: number): void => reject(new Error(`inference worker exited while starting (code ${code})`));
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.once('error', (err) => reject(err));
  });
}
