// Split steps: a recipe's step (recipes.ts) as gradient graphs plus one apply graph (step.ts), sharing
// the model's parameter names. With chunks of C rows out of the step's M = V * N, it is GradCache (Gao et
// al. 2021), whose gradient equals the whole batch's:
//   forward   per chunk: images [C, ...] -> rows [C, F], training mode, nothing kept for a backward pass
//   loss      once: rows [M, F] (the chunks' rows in order), labels [N] -> loss, rows_grad = dL/drows [M, F]
//   backward  per chunk: the tower again, with its rows_grad slice as the upstream gradient; the parameter
//             gradients are summed into `grad.<param>` and BatchNorm's running statistics updated
//   apply     once: params, optimizer state, summed gradients -> updated params and state
// BatchNorm normalises each chunk with its own statistics (as data-parallel training without synchronised
// BatchNorm), so with BatchNorm the result equals the whole-batch step only where the chunk is the batch.
// Without chunks, one gradient graph computes loss and gradients, then the apply graph updates.

import * as b from '../src/onnx/index.ts';
import type { Graph, Value } from '../src/onnx/index.ts';
import { grad } from '../src/autodiff/index.ts';
import { type ModelConfig, stepRows } from './config.ts';
import { unfrozen } from './freeze.ts';
import type { Params } from './params.ts';
import { emaOutputs, enqueue, hasMomentumEncoder, momentumTower, queueInputs, queueKeys, queueState } from './queue.ts';
import { type Recipe, baselineRecipe, hybridRecipe, memoryOf, stage1Recipe } from './recipes.ts';
import { context, imagesInput, wholeStepForward } from './stages.ts';
import { GRAD_PREFIX, KEYS, LOSS_OUTPUT, ROWS, ROWS_GRAD, type StateInfo, assembleApplyStep, assembleGradientStep } from './step.ts';

export interface GraphPart {
  graph: Graph;
  outputs: Record<string, Value>;
}

export type GradientPart =
  | { kind: 'whole'; graph: GraphPart }
  | { kind: 'chunked'; chunk: number; forward: GraphPart; loss: GraphPart; backward: GraphPart };

export interface SplitStep {
  name: 'stage1' | 'baseline' | 'hybrid';
  /** The model's params and buffers, as the gradient graphs declare them. */
  params: Params;
  gradient: GradientPart;
  apply: GraphPart;
  optimizerState: StateInfo[];
  /** The memory queue and momentum encoder (stage 1 with a queue). */
  extraState: StateInfo[];
  /** The summed gradients `grad.<param>` between the gradient and apply graphs (zeros at start, not checkpointed). */
  gradients: StateInfo[];
}

/** Stage 1 as a split step: in chunks of cfg.chunkSize rows when that is less than the step's rows. */
export function buildStage1Split(cfg: ModelConfig): SplitStep {
  return splitStep('stage1', cfg, stage1Recipe(cfg));
}

/** The cross-entropy baseline as a split step (without a queue). */
export function buildBaselineSplit(cfg: ModelConfig): SplitStep {
  return splitStep('baseline', { ...cfg, views: 1, queueSize: 0 }, baselineRecipe(cfg));
}

/** The hybrid (supcon+ce) as a split step (without a queue). */
export function buildHybridSplit(cfg: ModelConfig): SplitStep {
  return splitStep('hybrid', cfg, hybridRecipe(cfg));
}

export function splitStep(name: SplitStep['name'], cfg: ModelConfig, recipe: Recipe): SplitStep {
  const rows = stepRows(cfg);
  const chunk = cfg.chunkSize > 0 ? cfg.chunkSize : rows;
  if (chunk > rows || rows % chunk !== 0) throw new Error(`${name}: a chunk of ${chunk} rows does not divide the step's ${rows} rows (${cfg.batchSize} images x ${cfg.views} views)`);
  const gradient = chunk < rows ? chunkedGradient(cfg, recipe, chunk) : wholeGradient(cfg, recipe);
  const trainable = gradient.params.trainable(unfrozen(cfg.freeze, gradient.params));
  const all = gradient.params.trainable(); // the momentum encoder follows frozen parameters too
  const apply = assembleApplyStep(trainable, recipe.optimizer);
  const applyOutputs = { ...apply.outputs };
  if (hasMomentumEncoder(cfg)) Object.assign(applyOutputs, emaOutputs(apply.graph, all, cfg.queueMomentum, apply.outputs));
  return {
    name, params: gradient.params, gradient: gradient.part,
    apply: { graph: apply.graph, outputs: applyOutputs },
    optimizerState: apply.optimizerState,
    extraState: cfg.queueSize > 0 ? queueState(cfg, memoryOf(recipe, name).dim, all) : [],
    gradients: trainable.map((p) => ({ name: `${GRAD_PREFIX}${p.name}`, shape: p.shape })),
  };
}

/** Loss and gradients of the whole step in one graph (queue included). */
function wholeGradient(cfg: ModelConfig, recipe: Recipe): { params: Params; part: GradientPart } {
  const { ctx, images, labels, rows, memory, loss, metrics } = wholeStepForward(cfg, recipe);
  const g = ctx.params.graph;
  const outputs = assembleGradientStep({ params: ctx.params, output: loss, trainable: ctx.params.trainable(unfrozen(cfg.freeze, ctx.params)), metrics });
  if (memory) {
    const stored = memoryOf(recipe, 'the memory queue');
    Object.assign(outputs, enqueue(memory, stored.rows(queueKeys(cfg, recipe.tower, images, rows).keys), stored.labels(labels)));
  }
  return { params: ctx.params, part: { kind: 'whole', graph: { graph: g, outputs } } };
}

function chunkedGradient(cfg: ModelConfig, recipe: Recipe, chunk: number): { params: Params; part: GradientPart } {
  const withMomentum = hasMomentumEncoder(cfg);

  // (a) rows of one chunk, and its keys from the momentum encoder.
  const fwd = context(true);
  const fwdImages = imagesInput(fwd, cfg, chunk);
  const forward: Record<string, Value> = { [ROWS]: recipe.tower(fwd, fwdImages) };
  if (withMomentum) forward[KEYS] = momentumTower(fwd.params.graph, recipe.tower, fwdImages).keys;

  // (b) the loss over every row of the step and its gradient by row; the queue takes this step's keys.
  const g = new b.Graph();
  const rows = g.input(ROWS, 'float32', [stepRows(cfg), recipe.rowDim]);
  const labels = g.input('labels', 'int64', [cfg.batchSize]);
  const stored = cfg.queueSize > 0 ? memoryOf(recipe, 'the memory queue') : undefined;
  const memory = stored ? queueInputs(g, cfg.queueSize, stored.dim) : undefined;
  const { loss, metrics } = recipe.loss(rows, labels, memory);
  const lossOutputs: Record<string, Value> = { [LOSS_OUTPUT]: loss, [ROWS_GRAD]: grad(loss, [rows])[0]!, ...metrics };
  if (memory && stored) {
    const keys = withMomentum ? g.input(KEYS, 'float32', [stepRows(cfg), recipe.rowDim]) : rows;
    Object.assign(lossOutputs, enqueue(memory, stored.rows(keys), stored.labels(labels)));
  }

  // (c) one chunk's forward again and its backward from rows_grad, summed into grad.<param>.
  const bwd = context(true);
  const bwdImages = imagesInput(bwd, cfg, chunk);
  const towerRows = recipe.tower(bwd, bwdImages);
  const seed = bwd.params.graph.input(ROWS_GRAD, 'float32', [chunk, recipe.rowDim]);
  const backward = assembleGradientStep({ params: bwd.params, output: towerRows, seed, trainable: bwd.params.trainable(unfrozen(cfg.freeze, bwd.params)), accumulate: true });

  return {
    params: bwd.params,
    part: {
      kind: 'chunked', chunk,
      forward: { graph: fwd.params.graph, outputs: forward },
      loss: { graph: g, outputs: lossOutputs },
      backward: { graph: bwd.params.graph, outputs: backward },
    },
  };
}

/** A part with its serialisation options (inputs no output reads are left out: the forward graph reads no running statistics). */
const partModel = (part: GraphPart, name: string): { graph: Graph; options: b.ModelOptions } => ({ graph: part.graph, options: { outputs: part.outputs, name, pruneInputs: true } });

/** The graph models of a split step, as src/runtime/split_runner.ts takes them. */
export function splitModels(step: SplitStep) {
  const g = step.gradient;
  return {
    gradient: g.kind === 'whole'
      ? { kind: 'whole' as const, gradient: partModel(g.graph, `${step.name}_gradient`) }
      : { kind: 'chunked' as const, chunk: g.chunk, forward: partModel(g.forward, `${step.name}_forward`), loss: partModel(g.loss, `${step.name}_loss`), backward: partModel(g.backward, `${step.name}_backward`) },
    apply: partModel(step.apply, `${step.name}_apply`),
    gradients: step.gradients,
  };
}
