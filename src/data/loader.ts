// DataLoader: batches of augmented, normalised views, built ahead of the consumer.
//
// onnxruntime-node's session.run() blocks the main thread for a whole training step, so batches
// are built in worker_threads and `prefetch` batches are kept in flight: workers keep going while
// the main thread is blocked, and replies wait in the message queue until it is free.
// Workers get the dataset once as a handle: shared Uint8 pixel memory (SharedArrayBuffer: one load,
// no copies; loading per worker would cost each one 0.2 s and 47 MB for Fashion-MNIST, 3 s and
// 150 MB for cached CIFAR-10, 50 s to decode it cold) or, for datasets too big for memory, file
// paths that each worker decodes itself. Results come back as transferred buffers.
// A batch's content depends only on (seed, epoch, batch index): the sampler fixes its samples and
// the augmentation RNG is forked per (epoch, sample, view), whoever builds it.

import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AugmentationName } from './augment/build.ts';
import { BatchBuilder, type BatchSpec } from './batch_builder.ts';
import { isShareable, type Dataset } from './dataset.ts';
import { epochOrder } from './sampler.ts';
import type { BatchTask, ImagePayload, WorkerInit, WorkerReply } from './worker_protocol.ts';

export interface DataLoaderOptions {
  batchSize: number;
  seed: number;
  /** One augmentation per view: ['simaugment', 'simaugment'] for SupCon stage 1, ['none'] for eval. */
  views: readonly AugmentationName[];
  /** Side of the views (the model's input side); default the dataset's, which may store larger images to crop from. */
  size?: number;
  /** [C] per-channel normalisation (normalize.ts computeMeanStd). */
  mean: readonly number[];
  std: readonly number[];
  /** Default true (training order); false = dataset order (evaluation). */
  shuffle?: boolean;
  /** Default: equal to shuffle. */
  dropLast?: boolean;
  /** See sampler.ts; 2 guarantees every SupCon anchor a positive from another image. */
  minPerClass?: number;
  /** Worker threads; 0 builds batches inline on the calling thread. Default min(4, cores - 1). */
  workers?: number;
  /** Batches in flight ahead of the consumer (default 4). */
  prefetch?: number;
}

export interface Batch {
  index: number;
  /** views.length tensors, each [B, C, S, S] normalised */
  views: Float32Array[];
  /** [B] */
  labels: BigInt64Array;
  /** [B] dataset indices */
  sampleIds: Int32Array;
}

interface Pending {
  resolve: (r: { views: Float32Array[]; labels: BigInt64Array }) => void;
  reject: (e: Error) => void;
  worker: number;
}

export class DataLoader {
  readonly dataset: Dataset;
  readonly options: Readonly<DataLoaderOptions>;
  /** Side of every view this loader yields. */
  readonly size: number;
  private readonly builder: BatchBuilder;
  private readonly spec: BatchSpec;
  private readonly workerCount: number;
  private workers: Worker[] = [];
  private outstanding: number[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextTaskId = 0;
  private failure: Error | undefined;
  private closed = false;
  private labelCache: Int32Array | undefined;

  constructor(dataset: Dataset, options: DataLoaderOptions) {
    this.dataset = dataset;
    this.options = options;
    this.spec = { views: [...options.views], mean: [...options.mean], std: [...options.std], seed: options.seed };
    this.size = options.size ?? dataset.size;
    this.builder = new BatchBuilder(this.spec, this.size, dataset.channels); // validates options early
    this.workerCount = options.workers ?? Math.max(0, Math.min(4, availableParallelism() - 1));
  }

  private order(epoch: number): Int32Array[] {
    const o = this.options;
    const shuffle = o.shuffle ?? true;
    this.labelCache ??= Int32Array.from({ length: this.dataset.length }, (_, i) => this.dataset.label(i));
    const labels = this.labelCache;
    const base = { seed: o.seed, epoch, batchSize: o.batchSize, dropLast: o.dropLast ?? shuffle, shuffle };
    return epochOrder(this.dataset.length, labels, o.minPerClass === undefined ? base : { ...base, minPerClass: o.minPerClass });
  }

  batchesPerEpoch(epoch = 0): number {
    return this.order(epoch).length;
  }

  private startWorkers(): void {
    if (this.workers.length > 0 || this.workerCount === 0) return;
    const init: WorkerInit = { spec: this.spec, size: this.size, channels: this.dataset.channels };
    if (isShareable(this.dataset)) init.dataset = this.dataset.handle();
    for (let w = 0; w < this.workerCount; w++) {
      // Workers inherit process.execArgv, so the TypeScript loader given with --import applies to them.
      const worker = new Worker(new URL('./worker.ts', import.meta.url), { workerData: init });
      worker.on('message', (reply: WorkerReply) => this.onReply(reply));
      worker.on('error', (err) => this.fail(new Error(`data loader worker ${w} crashed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (!this.closed) this.fail(new Error(`data loader worker ${w} exited with code ${code}`));
      });
      worker.unref();
      this.workers.push(worker);
      this.outstanding.push(0);
    }
  }

  private onReply(reply: WorkerReply): void {
    const p = this.pending.get(reply.id);
    if (p === undefined) return; // abandoned by a consumer that stopped early
    this.pending.delete(reply.id);
    const left = (this.outstanding[p.worker] ?? 1) - 1;
    this.outstanding[p.worker] = left;
    // An idle worker does not keep the process alive, so a forgotten close() cannot hang the exit.
    if (left === 0) this.workers[p.worker]?.unref();
    if (reply.ok) p.resolve({ views: reply.views, labels: reply.labels });
    else p.reject(new Error(`data loader worker failed: ${reply.error}`));
  }

  /** Rejects everything in flight and every later request: no hang after a worker dies. */
  private fail(err: Error): void {
    this.failure ??= err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private async gatherImages(sampleIds: Int32Array): Promise<{ images: ImagePayload[]; labels: number[] }> {
    const images: ImagePayload[] = [];
    const labels: number[] = [];
    for (const id of sampleIds) {
      const img = await this.dataset.image(id);
      images.push({ width: img.width, height: img.height, channels: img.channels, data: img.data.slice() });
      labels.push(this.dataset.label(id));
    }
    return { images, labels };
  }

  private async runTask(sampleIds: Int32Array, epoch: number): Promise<{ views: Float32Array[]; labels: BigInt64Array }> {
    if (this.workerCount === 0) return this.builder.build(this.dataset, sampleIds, epoch);
    if (this.failure !== undefined) throw this.failure;
    const task: BatchTask = { id: this.nextTaskId++, epoch, sampleIds };
    const transfer: ArrayBuffer[] = [];
    if (!isShareable(this.dataset)) {
      const { images, labels } = await this.gatherImages(sampleIds);
      task.images = images;
      task.labels = labels;
      for (const img of images) if (img.data.buffer instanceof ArrayBuffer) transfer.push(img.data.buffer);
    }
    if (this.failure !== undefined) throw this.failure;
    // Least-loaded worker; which one builds a batch never changes its content.
    let w = 0;
    for (let k = 1; k < this.workers.length; k++) if ((this.outstanding[k] ?? 0) < (this.outstanding[w] ?? 0)) w = k;
    const worker = this.workers[w];
    if (worker === undefined) throw new Error('data loader has no workers (closed?)');
    return new Promise((resolve, reject) => {
      this.pending.set(task.id, { resolve, reject, worker: w });
      this.outstanding[w] = (this.outstanding[w] ?? 0) + 1;
      worker.ref();
      worker.postMessage(task, transfer);
    });
  }

  /** Batches of one epoch, from batch `startBatch` on (to resume mid-epoch). */
  async *epoch(epoch: number, opts: { startBatch?: number } = {}): AsyncGenerator<Batch, void, undefined> {
    if (this.closed) throw new Error('DataLoader is closed');
    this.startWorkers();
    const order = this.order(epoch);
    const depth = this.workerCount === 0 ? 0 : Math.max(1, this.options.prefetch ?? 4);
    const queue: Promise<Batch>[] = [];
    let next = Math.max(0, opts.startBatch ?? 0);
    const launch = (index: number): Promise<Batch> => {
      const sampleIds = order[index] ?? new Int32Array(0);
      const p = this.runTask(sampleIds, epoch).then((r) => ({ index, views: r.views, labels: r.labels, sampleIds }));
      p.catch(() => undefined); // handled when awaited; avoids unhandled rejections if abandoned
      return p;
    };
    while (next < order.length || queue.length > 0) {
      // Keep `depth` batches in flight beyond the one handed out next.
      while (queue.length <= depth && next < order.length) queue.push(launch(next++));
      const head = queue.shift();
      if (head === undefined) break;
      yield await head;
    }
  }

  /** Stops the workers; batches in flight are rejected. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.fail(new Error('DataLoader closed'));
    const workers = this.workers;
    this.workers = [];
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

export interface LoaderThroughput {
  batches: number;
  samples: number;
  seconds: number;
  /** Samples (each with views.length views) per second, after the first batch. */
  samplesPerSecond: number;
  viewsPerSecond: number;
  /** Time to the first batch: worker start-up and pipeline fill. */
  firstBatchSeconds: number;
}

/** Drains `batches` batches (epoch 0, then 1, ...) as fast as possible and times them. */
export async function measureLoader(loader: DataLoader, batches: number): Promise<LoaderThroughput> {
  const t0 = performance.now();
  let tFirst = t0;
  let samples = 0;
  let count = 0;
  const views = loader.options.views.length;
  for (let epoch = 0; count < batches + 1; epoch++) {
    let any = false;
    for await (const batch of loader.epoch(epoch)) {
      any = true;
      if (count === 0) tFirst = performance.now();
      else samples += batch.labels.length;
      if (++count >= batches + 1) break;
    }
    if (!any) throw new Error('measureLoader: the loader yields no batches');
  }
  const seconds = (performance.now() - tFirst) / 1000;
  return {
    batches: count - 1, samples, seconds,
    samplesPerSecond: samples / seconds, viewsPerSecond: (samples * views) / seconds,
    firstBatchSeconds: (tFirst - t0) / 1000,
  };
}
