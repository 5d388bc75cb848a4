// The configuration that drives every graph of a model, in two parts: the architecture (encoder, heads,
// loss, optimizers), chosen by the user, and the stage shape (batch, views, input side and channels,
// classes), which a trainer derives once from the opened data set and the stage it runs. Plain data
// (JSON-serialisable), so that it travels in manifest.json and checkpoints unchanged.

import { type OptimizerConfig, defaultOptimizer } from '../src/optim/index.ts';
import { type EncoderConfig, type EncoderName, type Stem, encoderDim } from './encoders/index.ts';
import type { HeadKind } from './heads.ts';

export type ContrastiveLoss = 'supcon' | 'simclr' | 'max_margin';

/** What the model is: the same for every stage of a run. */
export interface ArchitectureConfig {
  encoder: EncoderName;
  /** ResNet stem: 'cifar' (3x3 conv, no max-pool) or 'imagenet' (7x7/2 conv + 3x3/2 max-pool). */
  stem: Stem;
  /** Small CNN base width (channels w, 2w, 4w). */
  width: number;
  /** Projection head of stage 1 ('mlp' as SupContrast). */
  head: HeadKind;
  /** Hidden width of the MLP head; 0 = the encoder dimension (SupContrast). */
  headHidden: number;
  /** Projection dimension (SupContrast: 128). */
  featDim: number;
  /** L2-normalise the encoder output everywhere it is used (stage 2, baseline, embed). */
  normalizeEncoder: boolean;
  loss: ContrastiveLoss;
  temperature: number;
  /** The SupCon loss is scaled by temperature / baseTemperature; 0 = the temperature (scale 1). */
  baseTemperature: number;
  contrastMode: 'all' | 'one';
  /** Margin of the max-margin loss. */
  margin: number;
  /** The hybrid objective (supcon+ce): cross-entropy + supconWeight x SupCon, on the same batch. */
  supconWeight: number;
  /** Optimizer of stage 1 and of the cross-entropy baseline. */
  optimizer: OptimizerConfig;
  /** Optimizer of the stage-2 linear classifier. */
  linearOptimizer: OptimizerConfig;
  /** Imported encoders (`onnx:<file>`): the value taken as features; default the input of the last Gemm / MatMul. */
  featureOutput?: string;
  /** Parameters stage 1 and the baseline keep fixed: globs over state-dict names (graphs/freeze.ts). */
  freeze?: string[];
}

/** What one stage's graph is fed: derived from the data set and the stage, never set by hand in a run. */
export interface StageShape {
  /** Images per step (stage 1 feeds views * batchSize images). */
  batchSize: number;
  /** Views per image in stage 1. */
  views: number;
  /** Square input side H = W. */
  inputSize: number;
  inputChannels: number;
  numClasses: number;
}

/**
 * How one stage-1 or baseline step is computed when its batch is large: in chunks (GradCache, graphs/
 * split_step.ts) and, in stage 1, with a memory queue that extends the contrast set (graphs/queue.ts).
 */
export interface LargeBatchConfig {
  /** Rows (views) per chunk; 0 or all rows of the batch: the whole step in one graph. */
  chunkSize: number;
  /** (projection, label) pairs of earlier steps in the contrast set; 0: no queue. */
  queueSize: number;
  /** EMA momentum of the encoder that fills the queue; 0: the batch's own projections fill it (no second forward). */
  queueMomentum: number;
}

/** The input of the graph builders (graphs/stages.ts). */
export interface ModelConfig extends ArchitectureConfig, StageShape, LargeBatchConfig {
  /** Artifact folder name: artifacts/<name>/. */
  name: string;
}

/** SupContrast's CIFAR recipe at a size that runs on a CPU: ResNet-18, MLP head to 128, tau 0.1, SGD 0.9. */
export function defaultArchitecture(): ArchitectureConfig {
  return {
    encoder: 'resnet18',
    stem: 'cifar',
    width: 32,
    head: 'mlp',
    headHidden: 0,
    featDim: 128,
    normalizeEncoder: false,
    loss: 'supcon',
    temperature: 0.1,
    baseTemperature: 0,
    contrastMode: 'all',
    margin: 1,
    supconWeight: 1,
    optimizer: { ...defaultOptimizer('sgd'), momentum: 0.9, weightDecay: 1e-4 },
    linearOptimizer: { ...defaultOptimizer('sgd'), momentum: 0.9 },
  };
}

/** The default architecture with a CIFAR-10 shape (32x32x3, 10 classes, 2 views of 128 images). */
export function defaultModelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    name: 'model',
    ...defaultArchitecture(),
    inputSize: 32,
    inputChannels: 3,
    numClasses: 10,
    views: 2,
    batchSize: 128,
    chunkSize: 0,
    queueSize: 0,
    queueMomentum: 0.99,
    ...overrides,
  };
}

/** Encoder output dimension D of `cfg`. */
export function featureDim(cfg: ArchitectureConfig): number {
  return encoderDim(encoderConfig(cfg));
}

/** The encoder part of an architecture. */
export function encoderConfig(cfg: ArchitectureConfig): EncoderConfig {
  return { name: cfg.encoder, stem: cfg.stem, width: cfg.width, normalize: cfg.normalizeEncoder, featureOutput: cfg.featureOutput };
}

/** Rows of one step: images x views (stage 1 stacks its views; other stages have one). */
export const stepRows = (cfg: StageShape): number => cfg.batchSize * cfg.views;

/** Whether a step runs in chunks: a chunk size below the step's rows. */
export const isChunked = (cfg: ModelConfig): boolean => cfg.chunkSize > 0 && cfg.chunkSize < stepRows(cfg);
