// A pool of inference worker threads. Requests queue on the main thread; an idle worker takes up to
// `maxBatch` queued tasks at once and answers them with one session run (micro-batching under load).
// A worker that dies fails its in-flight tasks and is replaced.

import { Worker } from 'node:worker_threads';
import type { ExecutionProvider } from '../runtime/providers.ts';
import type { ModelMetadata } from '../export/metadata.ts';
import type { FromWorker, Task, TaskKind, TaskResult, ToWorker, WorkerInit } from './worker_protocol.ts';

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
}

interface Slot {
  worker: Worker;
  busy: Map<number, (r: TaskResult) => void> | undefined;
}

interface Pending {
  task: Task;
  resolve: (r: TaskResult) => void;
}

const WORKER_URL = new URL('./inference_worker.ts', import.meta.url);

export class InferencePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closing = false;
  private idleWaiters: (() => void)[] = [];

  private constructor(
    readonly metadata: ModelMetadata,
    private readonly options: Required<PoolOptions>,
  ) {}

  static async start(options: PoolOptions): Promise<InferencePool> {
    const opts: Required<PoolOptions> = { workers: 2, threadsPerWorker: 1, maxBatch: 16, ep: 'cpu', ...options };
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

  /** Queues one image; resolves with the worker's answer (never rejects). */
  run(kind: TaskKind, bytes: Uint8Array, topK: number): Promise<TaskResult> {
    const id = this.nextId++;
    if (this.closing) return Promise.resolve({ id, ok: false, code: 'internal', message: 'server is shutting down' });
    return new Promise((resolve) => {
      this.queue.push({ task: { id, kind, bytes, topK }, resolve });
      this.dispatch();
    });
  }

  stats(): { workers: number; busy: number; queued: number } {
    return { workers: this.slots.length, busy: this.slots.filter((s) => s.busy).length, queued: this.queue.length };
  }

  /** Stops taking work, lets queued and running tasks finish, then ends the workers. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.queue.length > 0 || this.slots.some((s) => s.busy)) await new Promise<void>((r) => this.idleWaiters.push(r));
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
    this.slots.length = 0;
  }

  private adopt(worker: Worker): void {
    const slot: Slot = { worker, busy: undefined };
    this.slots.push(slot);
    worker.on('message', (msg: FromWorker) => {
      if (msg.type !== 'results' || !slot.busy) return;
      const waiting = slot.busy;
      slot.busy = undefined;
      for (const r of msg.results) waiting.get(r.id)?.(r);
      this.dispatch();
    });
    worker.on('error', () => undefined); // 'exit' follows and handles it
    worker.on('exit', (code) => {
      const index = this.slots.indexOf(slot);
      if (index >= 0) this.slots.splice(index, 1);
      for (const [id, resolve] of slot.busy ?? []) resolve({ id, ok: false, code: 'internal', message: `inference worker exited (code ${code})` });
      slot.busy = undefined;
      if (!this.closing) {
        spawn(this.options).then(
          (r) => { this.adopt(r.worker); this.dispatch(); },
          () => this.dispatch(),
        );
      }
      this.dispatch();
    });
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (this.queue.length === 0) break;
      if (slot.busy) continue;
      const batch = this.queue.splice(0, this.options.maxBatch);
      slot.busy = new Map(batch.map((p) => [p.task.id, p.resolve]));
      const msg: ToWorker = { type: 'batch', tasks: batch.map((p) => p.task) };
      slot.worker.postMessage(msg);
    }
    if (this.slots.length === 0 && this.closing) {
      for (const p of this.queue.splice(0)) p.resolve({ id: p.task.id, ok: false, code: 'internal', message: 'no inference worker' });
    }
    if (this.queue.length === 0 && !this.slots.some((s) => s.busy)) for (const w of this.idleWaiters.splice(0)) w();
  }
}

/** Starts one worker and waits for its sessions to load. */
function spawn(opts: Required<PoolOptions>): Promise<{ worker: Worker; metadata: ModelMetadata }> {
  const init: WorkerInit = { modelPath: opts.modelPath, threads: opts.threadsPerWorker, ep: opts.ep };
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
