// The one configuration that drives every graph of a model: encoder, heads, loss, optimizers, batch.
// Plain data (JSON-serialisable), so that it travels in manifest.json and checkpoints unchanged.

import { type OptimizerConfig, defaultOptimizer } from '../src/optim/index.ts';
import { type EncoderName, type Stem, encoderDim } from './encoders/index.ts';
import type { HeadKind } from './heads.ts';

export type ContrastiveLoss = 'supcon' | 'simclr' | 'max_margin';

export interface ModelConfig {
  /** Artifact folder name: artifacts/<name>/. */
  name: string;
  encoder: EncoderName;
  /** ResNet stem: 'cifar' (3x3 conv, no max-pool) or 'imagenet' (7x7/2 conv + 3x3/2 max-pool). */
  stem: Stem;
  /** Small CNN base width (channels w, 2w, 4w). */
  width: number;
  /** Square input side H = W. */
  inputSize: number;
  inputChannels: number;
  numClasses: number;
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
  /** Views per image in stage 1. */
  views: number;
  /** Images per step (stage 1 feeds views * batchSize images). */
  batchSize: number;
  /** Optimizer of stage 1 and of the cross-entropy baseline. */
  optimizer: OptimizerConfig;
  /** Optimizer of the stage-2 linear classifier. */
  linearOptimizer: OptimizerConfig;
}

/** SupContrast's CIFAR recipe at a size that runs on a CPU: ResNet-18, MLP head to 128, tau 0.1, SGD 0.9. */
export function defaultModelConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return {
    name: 'model',
    encoder: 'resnet18',
    stem: 'cifar',
    width: 32,
    inputSize: 32,
    inputChannels: 3,
    numClasses: 10,
    head: 'mlp',
    headHidden: 0,
    featDim: 128,
    normalizeEncoder: false,
    loss: 'supcon',
    temperature: 0.1,
    baseTemperature: 0,
    contrastMode: 'all',
    margin: 1,
    views: 2,
    batchSize: 128,
    optimizer: { ...defaultOptimizer('sgd'), momentum: 0.9, weightDecay: 1e-4 },
    linearOptimizer: { ...defaultOptimizer('sgd'), momentum: 0.9 },
    ...overrides,
  };
}

/** Encoder output dimension D of `cfg`. */
export function featureDim(cfg: ModelConfig): number {
  return encoderDim({ name: cfg.encoder, stem: cfg.stem, width: cfg.width, normalize: cfg.normalizeEncoder });
}
