// Messages between DataLoader (main thread) and its workers (worker.ts). Everything is
// structured-cloneable; pixel memory is a SharedArrayBuffer, result tensors are transferred.

import type { BatchSpec } from './batch_builder.ts';
import type { DatasetHandle } from './dataset.ts';
import type { Channels } from './image.ts';

/** Sent once as workerData. */
export interface WorkerInit {
  spec: BatchSpec;
  size: number;
  channels: Channels;
  /** Absent when the dataset cannot be shared: tasks then carry their images. */
  dataset?: DatasetHandle;
}

/** HWC Float32 image as sent to a worker with a task. */
export interface ImagePayload {
  width: number;
  height: number;
  channels: Channels;
  data: Float32Array;
}

export interface BatchTask {
  id: number;
  epoch: number;
  sampleIds: Int32Array;
  images?: ImagePayload[];
  labels?: number[];
}

export type WorkerReply =
  | { id: number; ok: true; views: Float32Array<ArrayBuffer>[]; labels: BigInt64Array<ArrayBuffer> }
  | { id: number; ok: false; error: string };
