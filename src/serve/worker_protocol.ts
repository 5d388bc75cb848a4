// Messages between the server's main thread and its inference workers.

import type { ExecutionProvider } from '../runtime/providers.ts';

import type { ModelMetadata } from '../export/metadata.ts';
import type { Prediction } from '../export/preprocess.ts';

/** What the worker is started with (workerData). */
export interface WorkerInit {
  modelPath: string;
  /** ORT intra-op threads of this worker's sessions. */
  threads: number;
  ep: ExecutionProvider;
  /** Largest image (width x height) the worker decodes; undefined: defaultMaxPixels of the model. */
  maxPixels: number | undefined;
}

export type TaskKind = 'predict' | 'embed';

export interface Task {
  id: number;
  kind: TaskKind;
  /** Encoded image bytes, decoded in the worker. */
  bytes: Uint8Array;
  topK: number;
}

/**
 * Why a task failed: bad_image (the bytes do not decode, a 400), too_many_pixels (over the pixel limit,
 * 413), unavailable (no worker, a worker died, shutting down: 503), timeout (not answered in time: 503),
 * aborted (the client went away first), internal (anything else: 500).
 */
export type FailureCode = 'bad_image' | 'too_many_pixels' | 'unavailable' | 'timeout' | 'aborted' | 'internal';

export type TaskResult =
  | { id: number; ok: true; kind: 'predict'; predictions: Prediction[] }
  | { id: number; ok: true; kind: 'embed'; embedding: number[] }
  | { id: number; ok: false; code: FailureCode; message: string };

export type ToWorker = { type: 'batch'; tasks: Task[] };

export type FromWorker =
  | { type: 'ready'; metadata: ModelMetadata }
  | { type: 'init_error'; message: string }
  | { type: 'results'; results: TaskResult[] };
