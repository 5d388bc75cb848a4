// The graphs of a model, each built from one ModelConfig in a fresh Graph:
//   stage1           encoder (training BN) + projection head + SupCon / SimCLR / max-margin, one step
//   stage2           frozen encoder (inference BN, no gradients) + linear classifier + CE, one step
//   stage2_features  linear classifier + CE on precomputed encoder features, one step
//   baseline         encoder (training BN) + linear classifier + CE end to end, one step
//   embed, logits    inference-mode eval graphs with a symbolic batch dimension 'batch'
// Step graphs take `lr` and `step` and return `loss`, `updated.*` (see step.ts) and metrics.

import * as b from '../src/onnx/index.ts';
import type { Dim, Value } from '../src/onnx/index.ts';
import type { OptimizerConfig } from '../src/optim/index.ts';
import { type ModelConfig, encoderConfig, featureDim } from './config.ts';
import { encoder } from './encoders/index.ts';
import { frozenBy } from './freeze.ts';
import { type HeadConfig, linearClassifier, projectionHead } from './heads.ts';
import type { LayerContext } from './layers.ts';
import { crossEntropy } from './losses/cross_entropy.ts';
import { repeatLabels } from './losses/masks.ts';
import { maxMarginLoss } from './losses/max_margin.ts';
import { supConViewMajor } from './losses/supcon.ts';
import { Params } from './params.ts';
import { type StateInfo, assembleTrainingStep } from './step.ts';

export const GRAPH_NAMES = ['stage1', 'stage2', 'stage2_features', 'baseline', 'embed', 'logits'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

export interface BuiltGraph {
  name: GraphName;
  graph: b.Graph;
  params: Params;
  /** Graph outputs by name (step graphs: `loss`, `updated.*`, metrics; eval graphs: their results). */
  outputs: Record<string, Value>;
  /** Optimizer state inputs of a step graph (zeros at the start); empty for eval graphs. */
  optimizerState: StateInfo[];
  /** Whether one run is a training step (inputs `lr`, `step`; outputs `updated.*`). */
  step: boolean;
}

const headConfig = (cfg: ModelConfig): HeadConfig => ({ kind: cfg.head, hidden: cfg.headHidden || featureDim(cfg), featDim: cfg.featDim });

function context(training: boolean): LayerContext {
  return { params: new Params(new b.Graph()), training };
}

/** images [batch, C, H, W], float32. */
function imagesInput(ctx: LayerContext, cfg: ModelConfig, batch: Dim): Value {
  return ctx.params.graph.input('images', 'float32', [batch, cfg.inputChannels, cfg.inputSize, cfg.inputSize]);
}

function stepGraph(name: GraphName, ctx: LayerContext, loss: Value, optimizer: OptimizerConfig, trainable: (n: string) => boolean, metrics: Record<string, Value> = {}): BuiltGraph {
  const { params } = ctx;
  const step = assembleTrainingStep({ params, loss, trainable: params.trainable(trainable), optimizer, metrics });
  return { name, graph: params.graph, params, outputs: step.outputs, optimizerState: step.optimizerState, step: true };
}

/** Stage 1: images [V * N, C, H, W] (views stacked view-major: all view-0 images, then view 1 ...), labels int64 [N]. */
export function buildStage1(cfg: ModelConfig): BuiltGraph {
  const ctx = context(true);
  const g = ctx.params.graph;
  const n = cfg.batchSize;
  const images = imagesInput(ctx, cfg, cfg.views * n);
  const labels = g.input('labels', 'int64', [n]);
  const features = encoder(ctx, images, encoderConfig(cfg)); // [V * N, D]
  const z = projectionHead(ctx, features, featureDim(cfg), headConfig(cfg)); // [V * N, F], unit rows
  const tau = { temperature: cfg.temperature, baseTemperature: cfg.baseTemperature || cfg.temperature, contrastMode: cfg.contrastMode };
  let loss: Value;
  switch (cfg.loss) {
    case 'supcon': loss = supConViewMajor(z, cfg.views, labels, tau); break;
    case 'simclr': loss = supConViewMajor(z, cfg.views, undefined, tau); break;
    case 'max_margin': loss = maxMarginLoss(z, repeatLabels(labels, cfg.views), { margin: cfg.margin }); break;
  }
  return stepGraph('stage1', ctx, loss, cfg.optimizer, unfrozen(cfg, ctx));
}

/** The parameters that --freeze leaves to train (all without it). */
function unfrozen(cfg: ModelConfig, ctx: LayerContext): (name: string) => boolean {
  const frozen = frozenBy(cfg.freeze ?? [], ctx.params.trainable().map((p) => p.name));
  return (name) => !frozen(name);
}

const isClassifier = (name: string): boolean => name.startsWith('classifier.');

/** Stage 2: images [N, C, H, W], labels int64 [N]; the encoder is frozen in inference mode. */
export function buildStage2(cfg: ModelConfig): BuiltGraph {
  const ctx = context(false);
  const g = ctx.params.graph;
  const images = imagesInput(ctx, cfg, cfg.batchSize);
  const labels = g.input('labels', 'int64', [cfg.batchSize]);
  const features = b.stopGradient(encoder(ctx, images, encoderConfig(cfg))); // [N, D]
  const ce = crossEntropy(linearClassifier(ctx, features, featureDim(cfg), cfg.numClasses), labels);
  return stepGraph('stage2', ctx, ce.loss, cfg.linearOptimizer, isClassifier, { accuracy: ce.accuracy });
}

/** Stage 2 on precomputed encoder features [N, D] (one encoder pass over the data set, then cheap epochs). */
export function buildStage2Features(cfg: ModelConfig): BuiltGraph {
  const ctx = context(false);
  const g = ctx.params.graph;
  const features = g.input('features', 'float32', [cfg.batchSize, featureDim(cfg)]);
  const labels = g.input('labels', 'int64', [cfg.batchSize]);
  const ce = crossEntropy(linearClassifier(ctx, features, featureDim(cfg), cfg.numClasses), labels);
  return stepGraph('stage2_features', ctx, ce.loss, cfg.linearOptimizer, isClassifier, { accuracy: ce.accuracy });
}

/** Cross-entropy baseline: images [N, C, H, W], labels int64 [N]; encoder and classifier trained end to end. */
export function buildBaseline(cfg: ModelConfig): BuiltGraph {
  const ctx = context(true);
  const g = ctx.params.graph;
  const images = imagesInput(ctx, cfg, cfg.batchSize);
  const labels = g.input('labels', 'int64', [cfg.batchSize]);
  const features = encoder(ctx, images, encoderConfig(cfg));
  const ce = crossEntropy(linearClassifier(ctx, features, featureDim(cfg), cfg.numClasses), labels);
  return stepGraph('baseline', ctx, ce.loss, cfg.optimizer, unfrozen(cfg, ctx), { accuracy: ce.accuracy });
}

function evalGraph(name: GraphName, ctx: LayerContext, outputs: Record<string, Value>): BuiltGraph {
  return { name, graph: ctx.params.graph, params: ctx.params, outputs, optimizerState: [], step: false };
}

/** images [batch, C, H, W] -> `embedding` [batch, D] (encoder output) and, with a head, `projection` [batch, F]. */
export function buildEmbed(cfg: ModelConfig): BuiltGraph {
  const ctx = context(false);
  const embedding = encoder(ctx, imagesInput(ctx, cfg, 'batch'), encoderConfig(cfg));
  const outputs: Record<string, Value> = { embedding };
  if (cfg.head !== 'none') outputs.projection = projectionHead(ctx, embedding, featureDim(cfg), headConfig(cfg));
  return evalGraph('embed', ctx, outputs);
}

/** images [batch, C, H, W] -> `logits` [batch, numClasses]. */
export function buildLogits(cfg: ModelConfig): BuiltGraph {
  const ctx = context(false);
  const features = encoder(ctx, imagesInput(ctx, cfg, 'batch'), encoderConfig(cfg));
  return evalGraph('logits', ctx, { logits: linearClassifier(ctx, features, featureDim(cfg), cfg.numClasses) });
}

export const GRAPH_BUILDERS: Readonly<Record<GraphName, (cfg: ModelConfig) => BuiltGraph>> = {
  stage1: buildStage1,
  stage2: buildStage2,
  stage2_features: buildStage2Features,
  baseline: buildBaseline,
  embed: buildEmbed,
  logits: buildLogits,
};
