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
  /** What a memory queue (queue.ts) stores of a step, for the recipes whose loss takes one. */
  memory?: MemoryRows;
  optimizer: OptimizerConfig;
}

export interface MemoryRows {
  /** Width of a stored row. */
  dim: number;
  /** rows [V * N, rowDim] (or a momentum encoder's keys of that shape) -> what is stored [V * N, dim]. */
  rows: (rows: Value) => Value;
  /** labels int64 [N] -> the labels stored with the rows [V * N] (SimCLR's: negatives only). */
  labels: (labels: Value) => Value;
}

/** The recipe's memory, or an error naming the recipe: only contrastive losses take a queue. */
export function memoryOf(recipe: Recipe, what: string): MemoryRows {
  if (!recipe.memory) throw new Error(`${what}: the memory queue extends SupCon and SimCLR, not the max-margin loss or the cross-entropy baseline (--queue-size 0)`);
  return recipe.memory;
}

/** Stage 1: encoder + projection head (unit rows), SupCon / SimCLR / max-margin over the V views. */
export function stage1Recipe(cfg: ModelConfig): Recipe {
  const tau = { temperature: cfg.temperature, baseTemperature: cfg.baseTemperature || cfg.temperature, contrastMode: cfg.contrastMode };
  return {
    tower: (ctx, images) => projectionHead(ctx, encoder(ctx, images, encoderConfig(cfg)), featureDim(cfg), headConfig(cfg)),
    rowDim: cfg.head === 'none' ? featureDim(cfg) : cfg.featDim,
    loss: (z, labels, memory) => {
      switch (cfg.loss) {
        case 'supcon': return { loss: supConViewMajor(z, cfg.views, labels, tau, memory), metrics: {} };
        case 'simclr': return { loss: supConViewMajor(z, cfg.views, undefined, tau, memory), metrics: {} };
        case 'max_margin': return { loss: maxMarginLoss(z, repeatLabels(labels, cfg.views), { margin: cfg.margin }), metrics: {} };
      }
    },
    ...(cfg.loss === 'max_margin' ? {} : {
      memory: {
        dim: cfg.head === 'none' ? featureDim(cfg) : cfg.featDim,
        rows: (rows: Value) => rows,
        labels: (labels: Value) => (cfg.loss === 'simclr' ? b.expand(labels.graph.scalar(NEGATIVE_ONLY, 'int64'), [cfg.views * cfg.batchSize]) : repeatLabels(labels, cfg.views)),
      },
    }),
    optimizer: cfg.optimizer,
  };
}

/**
 * The hybrid (`--method supcon+ce`): encoder -> [classifier logits | projection] rows, cross-entropy on
 * every view's logits plus `supconWeight` x SupCon over the projections, on the same batch (one stage;
 * the classifier is trained with the encoder, so there is no stage 2). With one view per image the
 * SupCon term's positives are the batch's other images of the class.
 */
export function hybridRecipe(cfg: ModelConfig): Recipe {
  if (cfg.loss !== 'supcon') throw new Error(`the supcon+ce method adds the SupCon loss to cross-entropy; model.loss must be supcon, not ${cfg.loss}`);
  if (cfg.head === 'none') throw new Error('the supcon+ce method needs a projection head (--head mlp or linear): the SupCon term on the encoder output itself would fight the classifier');
  const contrastive = stage1Recipe(cfg);
  const k = cfg.numClasses;
  const projections = (rows: Value): Value => b.slice(rows, [k], [k + contrastive.rowDim], [1]); // [R, F], unit rows
  return {
    tower: (ctx, images) => {
      const features = encoder(ctx, images, encoderConfig(cfg));
      const logits = linearClassifier(ctx, features, featureDim(cfg), k);
      return b.concat([logits, projectionHead(ctx, features, featureDim(cfg), headConfig(cfg))], 1); // [R, K + F]
    },
    rowDim: k + contrastive.rowDim,
    loss: (rows, labels, memory) => {
      const logits = b.slice(rows, [0], [k], [1]); // [V * N, K]
      const ce = crossEntropy(logits, repeatLabels(labels, cfg.views));
      const supcon = contrastive.loss(projections(rows), labels, memory).loss;
      return { loss: b.add(ce.loss, b.mul(supcon, cfg.supconWeight)), metrics: { accuracy: ce.accuracy, ce_loss: ce.loss, supcon_loss: supcon } };
    },
    memory: { ...memoryOf(contrastive, 'supcon+ce'), rows: projections },
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
    optimizer: cfg.optimizer,
  };
}
