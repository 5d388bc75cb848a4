// What the page's trainer is asked to do and what it reports: plain, structured-cloneable data, so a
// job crosses into the Web Worker (web/train_worker.ts) unchanged and runs just the same in Node (tests).

import type { AugmentationName } from '../../src/data/augment/build.ts';
import type { ModelMetadata } from '../../src/export/metadata.ts';

export type Backend = 'wasm' | 'webgpu';
export type BackendChoice = Backend | 'auto';

/** Images at the model's input side: [n, size, size, channels] uint8 HWC, one label per image. */
export interface LabelledImages {
  pixels: Uint8Array;
  labels: Int32Array;
}

export interface StageOptions {
  epochs: number;
  /** Largest batch; smaller when there are fewer images (see fine_tune.ts). */
  batchSize: number;
  /** Base learning rate, annealed by a cosine over the stage. */
  lr: number;
}

export interface TrainJob {
  /** The model training starts from: an exported model.onnx and its model.json. */
  base: { model: Uint8Array; metadata: ModelMetadata };
  /** Class names in label order. */
  classes: string[];
  train: LabelledImages;
  /** Images set aside for the held-out accuracy (may be empty). */
  heldOut: LabelledImages;
  backend: BackendChoice;
  /** SupCon fine-tuning of the encoder before stage 2; absent: stage 2 only. */
  supcon?: StageOptions & { augmentation: AugmentationName };
  /** The linear classifier on the frozen encoder's features. */
  stage2: StageOptions;
  seed: number;
  /** Name of the new model (metadata modelName). */
  modelName: string;
}

export type StageName = 'supcon' | 'stage2';

export type TrainEvent =
  | { kind: 'backend'; backend: Backend; threads: number; note?: string }
  | { kind: 'stage'; stage: StageName | 'features' | 'export'; steps: number; batchSize: number }
  | { kind: 'step'; stage: StageName; step: number; steps: number; epoch: number; loss: number; accuracy?: number; stepsPerSecond: number }
  | { kind: 'epoch'; stage: StageName; epoch: number; epochs: number; loss: number; heldOutAccuracy?: number };

export interface TrainResult {
  backend: Backend;
  /** WASM threads (WebGPU: for the ops it leaves to the CPU). */
  threads: number;
  /** model.onnx, model.embed.onnx and model.json: the files `export` writes. */
  classifier: Uint8Array;
  embedding: Uint8Array;
  metadata: ModelMetadata;
  /** Accuracy of the trained classifier on the held-out images; null without any. */
  heldOutAccuracy: number | null;
  /** Every step's loss, per stage. */
  losses: Record<StageName, number[]>;
  /** Steps per second of each stage that ran (the first step, with session warm-up, not counted). */
  stepsPerSecond: Partial<Record<StageName, number>>;
}

/** Messages of the worker protocol. */
export type ToWorker = { type: 'train'; job: TrainJob };
export type FromWorker =
  | { type: 'event'; event: TrainEvent }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; message: string };
