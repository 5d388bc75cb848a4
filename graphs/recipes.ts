// The stage-1 and baseline models cut where GradCache cuts them: a tower that maps every image (view) to
// a row on its own, given the batch statistics of the images it runs with, and a loss that reads all the
// rows of the step at once. The fused step graphs (stages.ts) compose the two in one graph; the split
// steps (split_step.ts) run the tower per chunk and the loss once.

import * as b from '../src/onnx/index.ts';
import type { Value } from '../src/onnx/index.ts';
import type { OptimizerConfig } from '../src/optim/index.ts';
import { type ModelConfig, encoderConfig, featureDim } from './config.ts';
import { encoder } from './encoders/index.ts';
import { type HeadConfig, linearClassifier, projectionHead } from './heads.ts';
import type { LayerContext } from './layers.ts';
import { crossEntropy } from './losses/cross_entropy.ts';
import { repeatLabels } from './losses/masks.ts';
import { maxMarginLoss } from './losses/max_margin.ts';
import { type Memory, NEGATIVE_ONLY, supConViewMajor } from './losses/supcon.ts';

export const headConfig = (cfg: ModelConfig): HeadConfig => ({ kind: cfg.head, hidden: cfg.headHidden || featureDim(cfg), featDim: cfg.featDim });

export interface LossOutputs {
  loss: Value;
  metrics: Record<string, Value>;
}

export interface Recipe {
  /** images [R, C, H, W] -> rows [R, rowDim]. */
  tower: (ctx: LayerContext, images: Value) => Value;
  rowDim: number;
  /** rows [V * N, rowDim] of the whole step (views stacked view-major), labels int64 [N], the queue if any. */
  loss: (rows: Value, labels: Value, memory?: Memory) => LossOutputs;
  /** The labels the queue stores with rows [V * N] (SimCLR's: negatives only). */
  memoryLabels: (labels: Value) => Value;
  optimizer: OptimizerConfig;
}

/** Stage 1: encoder + projection head (unit rows), SupCon / SimCLR / max-margin over the V views. */
export function stage1Recipe(cfg: ModelConfig): Recipe {
  const tau = { temperature: cfg.temperature, baseTemperature: cfg.baseTemperature || cfg.temperature, contrastMode: cfg.contrastMode };
  return {
    tower: (ctx, images) => projectionHead(ctx, encoder(ctx, images, encoderConfig(cfg)), featureDim(cfg), headConfig(cfg)),
    rowDim: cfg.head === 'none' ? featureDim(cfg) : cfg.featDim,
    loss: (z, labels, memory) => {
      if (memory && cfg.loss === 'max_margin') throw new Error('stage 1: the memory queue extends SupCon and SimCLR, not the max-margin loss');
      switch (cfg.loss) {
        case 'supcon': return { loss: supConViewMajor(z, cfg.views, labels, tau, memory), metrics: {} };
        case 'simclr': return { loss: supConViewMajor(z, cfg.views, undefined, tau, memory), metrics: {} };
        case 'max_margin': return { loss: maxMarginLoss(z, repeatLabels(labels, cfg.views), { margin: cfg.margin }), metrics: {} };
      }
    },
    memoryLabels: (labels) =>
      cfg.loss === 'simclr' ? b.expand(labels.graph.scalar(NEGATIVE_ONLY, 'int64'), [cfg.views * cfg.batchSize]) : repeatLabels(labels, cfg.views),
    optimizer: cfg.optimizer,
  };
}

/** The cross-entropy baseline: encoder + linear classifier (logit rows), cross-entropy and accuracy. */
export function baselineRecipe(cfg: ModelConfig): Recipe {
  return {
    tower: (ctx, images) => linearClassifier(ctx, encoder(ctx, images, encoderConfig(cfg)), featureDim(cfg), cfg.numClasses),
    rowDim: cfg.numClasses,
    loss: (logits, labels) => {
      const ce = crossEntropy(logits, labels);
      return { loss: ce.loss, metrics: { accuracy: ce.accuracy } };
    },
    memoryLabels: (labels) => labels,
    optimizer: cfg.optimizer,
  };
}
