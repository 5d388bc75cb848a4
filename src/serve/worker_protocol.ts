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
}

export type TaskKind = 'predict' | 'embed';

export interface Task {
  id: number;
  kind: TaskKind;
  /** Encoded image bytes, decoded in the worker. */
  bytes: Uint8Array;
  topK: number;
}

export type TaskResult =
  | { id: number; ok: true; kind: 'predict'; predictions: Prediction[] }
  | { id: number; ok: true; kind: 'embed'; embedding: number[] }
  /** bad_image: the bytes do not decode (a 400); internal: anything else (a 500). */
  | { id: number; ok: false; code: 'bad_image' | 'internal'; message: string };

export type ToWorker = { type: 'batch'; tasks: Task[] };

export type FromWorker =
  | { type: 'ready'; metadata: ModelMetadata }
  | { type: 'init_error'; message: string }
  | { type: 'results'; results: TaskResult[] };
