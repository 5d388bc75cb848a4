// The graphs of a model, each built from one ModelConfig in a fresh Graph:
//   stage1           encoder (training BN) + projection head + SupCon / SimCLR / max-margin, one step
//   stage2           frozen encoder (inference BN, no gradients) + linear classifier + CE, one step
//   stage2_features  linear classifier + CE on precomputed encoder features, one step
//   baseline         encoder (training BN) + linear classifier + CE end to end, one step
//   hybrid           encoder + linear classifier + projection head, CE + w x SupCon over V views, one step
//   embed, logits    inference-mode eval graphs with a symbolic batch dimension 'batch'
// Step graphs take `lr` and `step` and return `loss`, `updated.*` (see step.ts) and metrics. Stage 1 and
// the baseline in chunks (GradCache) are split steps: split_step.ts.

import * as b from '../src/onnx/index.ts';
import type { Dim, Value } from '../src/onnx/index.ts';
import type { OptimizerConfig } from '../src/optim/index.ts';
import { type ModelConfig, encoderConfig, featureDim, stepRows } from './config.ts';
import { encoder } from './encoders/index.ts';
import { unfrozen } from './freeze.ts';
import { linearClassifier, projectionHead } from './heads.ts';
import type { LayerContext } from './layers.ts';
import { crossEntropy } from './losses/cross_entropy.ts';
import { Params } from './params.ts';
import { emaOutputs, enqueue, hasMomentumEncoder, queueInputs, queueKeys, queueState } from './queue.ts';
import { type Recipe, baselineRecipe, headConfig, hybridRecipe, memoryOf, stage1Recipe } from './recipes.ts';
import { type StateInfo, assembleTrainingStep } from './step.ts';

export const GRAPH_NAMES = ['stage1', 'stage2', 'stage2_features', 'baseline', 'hybrid', 'embed', 'logits'] as const;
export type GraphName = (typeof GRAPH_NAMES)[number];

export interface BuiltGraph {
  name: GraphName;
  graph: b.Graph;
  params: Params;
  /** Graph outputs by name (step graphs: `loss`, `updated.*`, metrics; eval graphs: their results). */
  outputs: Record<string, Value>;
  /** Optimizer state inputs of a step graph (zeros at the start); empty for eval graphs. */
  optimizerState: StateInfo[];
  /** Other state of a step graph, with its starting values: stage 1's memory queue and momentum encoder. */
  extraState: StateInfo[];
  /** Whether one run is a training step (inputs `lr`, `step`; outputs `updated.*`). */
  step: boolean;
}

export function context(training: boolean): LayerContext {
  return { params: new Params(new b.Graph()), training };
}

/** images [batch, C, H, W], float32. */
export function imagesInput(ctx: LayerContext, cfg: ModelConfig, batch: Dim): Value {
  return ctx.params.graph.input('images', 'float32', [batch, cfg.inputChannels, cfg.inputSize, cfg.inputSize]);
}

function stepGraph(name: GraphName, ctx: LayerContext, loss: Value, optimizer: OptimizerConfig, trainable: (n: string) => boolean, metrics: Record<string, Value> = {}): BuiltGraph {
  const { params } = ctx;
  const step = assembleTrainingStep({ params, loss, trainable: params.trainable(trainable), optimizer, metrics });
  return { name, graph: params.graph, params, outputs: step.outputs, optimizerState: step.optimizerState, extraState: [], step: true };
}

/**
 * The forward of a recipe's whole step in a fresh training graph: images [V * N, C, H, W], labels int64
 * [N], the queue's inputs if configured, the tower's rows and the loss over all of them. Shared by the
 * fused step and the split step's one-graph gradient.
 */
export function wholeStepForward(cfg: ModelConfig, recipe: Recipe) {
  const ctx = context(true);
  const g = ctx.params.graph;
  const images = imagesInput(ctx, cfg, stepRows(cfg));
  const labels = g.input('labels', 'int64', [cfg.batchSize]);
  const rows = recipe.tower(ctx, images);
  const memory = cfg.queueSize > 0 ? queueInputs(g, cfg.queueSize, memoryOf(recipe, 'the memory queue').dim) : undefined;
  return { ctx, images, labels, rows, memory, ...recipe.loss(rows, labels, memory) };
}

/** A recipe's whole step in one graph: images [V * N, C, H, W], labels int64 [N]; stage 1 with its queue if configured. */
export function fusedStep(name: GraphName, cfg: ModelConfig, recipe: Recipe): BuiltGraph {
  const { ctx, images, labels, rows, memory, loss, metrics } = wholeStepForward(cfg, recipe);
  const g = ctx.params.graph;
  const built = stepGraph(name, ctx, loss, recipe.optimizer, unfrozen(cfg.freeze, ctx.params), metrics);
  if (!memory) return built;
  const trainable = ctx.params.trainable();
  const stored = memoryOf(recipe, name);
  const momentum = queueKeys(cfg, recipe.tower, images, rows);
  Object.assign(built.outputs, enqueue(memory, stored.rows(momentum.keys), stored.labels(labels)));
  if (hasMomentumEncoder(cfg)) Object.assign(built.outputs, emaOutputs(g, trainable, cfg.queueMomentum, built.outputs, new Map(momentum.params.map((p) => [p.name, p.value]))));
  built.extraState.push(...queueState(cfg, stored.dim, trainable));
  return built;
}

/**
 * Stage 1: images [V * N, C, H, W] (views stacked view-major: all view-0 images, then view 1 ...), labels
 * int64 [N]; with a queue, also `queue.*` (and `momentum_encoder.*`) in and updated.
 */
export function buildStage1(cfg: ModelConfig): BuiltGraph {
  return fusedStep('stage1', cfg, stage1Recipe(cfg));
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
  return fusedStep('baseline', { ...cfg, views: 1, queueSize: 0 }, baselineRecipe(cfg));
}

/** The hybrid (supcon+ce): images [V * N, C, H, W], labels int64 [N]; encoder, classifier and head trained together. */
export function buildHybrid(cfg: ModelConfig): BuiltGraph {
  return fusedStep('hybrid', cfg, hybridRecipe(cfg));
}

function evalGraph(name: GraphName, ctx: LayerContext, outputs: Record<string, Value>): BuiltGraph {
  return { name, graph: ctx.params.graph, params: ctx.params, outputs, optimizerState: [], extraState: [], step: false };
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
  hybrid: buildHybrid,
  embed: buildEmbed,
  logits: buildLogits,
};
