// Training-step assembly from three pieces: forward loss -> gradients (our autodiff) -> optimizer update.
// The fused step is all three in one graph. The split step is a gradient graph (loss and `grad.<param>`
// outputs) and an apply graph (params, optimizer state and summed gradients in, updated params and state
// out), so that gradients of several runs (GradCache chunks, later data-parallel workers) can be summed
// before one update. Convention: an output named `updated.X` is fed back as input `X` at the next run.
//
// Inputs the fused step declares: `lr` (float32 [], this step's learning rate), `step` (float32 [], 1-based
// count of this step), and `<param>.<slot>` for every optimizer state slot of every trainable param (zeros
// at start). Outputs: `loss`, `updated.<param>` per trainable param, `updated.<buffer>` per buffer update
// of the forward pass, `updated.<param>.<slot>` per optimizer state, and the metrics by name.

import * as b from '../src/onnx/index.ts';
import type { DType, Graph, Value } from '../src/onnx/index.ts';
import { grad } from '../src/autodiff/index.ts';
import { type OptimizerConfig, type StateSlot, emitUpdate, stateSlots } from '../src/optim/index.ts';
import type { ParamInfo, Params } from './params.ts';

export interface TrainingStepSpec {
  /** All params and buffers of the model (graph inputs). */
  params: Params;
  /** Scalar loss. */
  loss: Value;
  /** Which params get gradients and optimizer updates (stage 2: only the classifier). */
  trainable: readonly ParamInfo[];
  optimizer: OptimizerConfig;
  /** Extra outputs, e.g. 'accuracy', 'logits'. */
  metrics?: Record<string, Value>;
}

/** How a state tensor starts: zeros (optimizer state), a constant, or a copy of another tensor (a momentum encoder). */
export type StateInit = { kind: 'zeros' } | { kind: 'fill'; value: number } | { kind: 'copy'; of: string };

export interface StateInfo {
  name: string;
  shape: readonly number[];
  /** float32 when absent. */
  dtype?: DType;
  /** Zeros when absent. */
  init?: StateInit;
}

export interface TrainingStep {
  outputs: Record<string, Value>;
  optimizerState: StateInfo[];
}

/** The step graph's contract with the host loop (src/runtime/step_runner.ts imports these names). */
export const UPDATED_PREFIX = 'updated.';
export const LR_INPUT = 'lr';
export const STEP_INPUT = 'step';
export const LOSS_OUTPUT = 'loss';
/** The split step's gradients: outputs of the gradient graph, inputs of the apply graph. */
export const GRAD_PREFIX = 'grad.';
/** GradCache's chunk graphs (split_step.ts): a chunk's `rows` out of the forward, all `rows` into the loss graph,
 * `rows_grad` out of it and a chunk's slice into the backward; `keys` of the momentum encoder likewise. */
export const ROWS = 'rows';
export const ROWS_GRAD = 'rows_grad';
export const KEYS = 'keys';

/** What the optimizer needs to know of a trainable parameter (the apply graph has no model). */
export type TrainableInfo = Pick<ParamInfo, 'name' | 'shape' | 'decay'>;

function checkSpec(what: string, params: Params, output: Value, trainable: readonly ParamInfo[]): void {
  if (params.graph.scopePath !== '') throw new Error(`${what}: call at the root scope, not inside ${params.graph.scopePath}`);
  if (output.graph !== params.graph) throw new Error(`${what}: the loss belongs to another graph than params`);
  for (const p of trainable) {
    if (p.role !== 'param' || !params.list.includes(p)) throw new Error(`${what}: ${p.name} is not a parameter of this model`);
  }
}

/** Buffer updates and metrics, checked against the names already taken. */
function addForwardOutputs(what: string, outputs: Record<string, Value>, params: Params, metrics: Record<string, Value>): void {
  for (const [name, next] of params.bufferUpdates) outputs[`${UPDATED_PREFIX}${name}`] = next;
  for (const [name, value] of Object.entries(metrics)) {
    if (name in outputs || name.startsWith(UPDATED_PREFIX) || name.startsWith(GRAD_PREFIX)) throw new Error(`${what}: metric name ${name} clashes with a step output`);
    outputs[name] = value;
  }
}

/**
 * Declares `lr`, `step` and the optimizer state of `trainable` in `g` and emits their updates from
 * `params` (current values) and `grads`: outputs `updated.<param>` and `updated.<param>.<slot>`.
 */
function emitOptimizer(g: Graph, trainable: readonly TrainableInfo[], params: readonly Value[], grads: readonly Value[], optimizer: OptimizerConfig): TrainingStep {
  const lr = g.input(LR_INPUT, 'float32', []);
  const step = g.input(STEP_INPUT, 'float32', []);
  const slots = stateSlots(optimizer);
  const optimizerState: StateInfo[] = [];
  const stateInputs = trainable.map((p) => {
    const state: Partial<Record<StateSlot, Value>> = {};
    for (const slot of slots) {
      const name = `${p.name}.${slot}`;
      state[slot] = g.input(name, 'float32', p.shape);
      optimizerState.push({ name, shape: p.shape });
    }
    return state;
  });
  const outputs: Record<string, Value> = {};
  g.scope('optimizer', () => {
    trainable.forEach((p, i) => {
      const update = g.scope(p.name, () =>
        emitUpdate(optimizer, { param: params[i]!, grad: grads[i]!, state: stateInputs[i]!, lr, step, decay: p.decay }),
      );
      outputs[`${UPDATED_PREFIX}${p.name}`] = update.param;
      for (const slot of slots) {
        const next = update.state[slot];
        if (!next) throw new Error(`optimizer ${optimizer.kind} returned no ${slot} for ${p.name}`);
        outputs[`${UPDATED_PREFIX}${p.name}.${slot}`] = next;
      }
    });
  });
  return { outputs, optimizerState };
}

/** The fused step: forward, backward and update in one graph. */
export function assembleTrainingStep(spec: TrainingStepSpec): TrainingStep {
  const { params, loss, trainable, optimizer } = spec;
  checkSpec('assembleTrainingStep', params, loss, trainable);
  if (loss.shape.some((d) => d !== 1)) throw new Error(`assembleTrainingStep: loss must be a scalar, got ${loss}`);
  const grads = grad(loss, trainable.map((p) => p.value));
  const update = emitOptimizer(params.graph, trainable, trainable.map((p) => p.value), grads, optimizer);
  const outputs: Record<string, Value> = { [LOSS_OUTPUT]: loss, ...update.outputs };
  addForwardOutputs('assembleTrainingStep', outputs, params, spec.metrics ?? {});
  return { outputs, optimizerState: update.optimizerState };
}

export interface GradientStepSpec {
  params: Params;
  /** Scalar loss; or, with `seed`, any output (a GradCache chunk's projections) and its upstream gradient. */
  output: Value;
  seed?: Value;
  trainable: readonly ParamInfo[];
  metrics?: Record<string, Value>;
  /**
   * Sum into running totals (GradCache): inputs `grad.<param>` and `accumulate` (float32 [], 0 for the
   * first chunk of a step, 1 after), outputs `updated.grad.<param>` = accumulate * grad.<param> + gradient.
   */
  accumulate?: boolean;
}

/** Input of the accumulating gradient graph: 0 starts new sums, 1 adds to them. */
export const ACCUMULATE_INPUT = 'accumulate';

/** The gradient half of a split step: `loss` (unless seeded), `grad.<param>` (or its running sum), buffer updates, metrics. */
export function assembleGradientStep(spec: GradientStepSpec): Record<string, Value> {
  const { params, output, seed, trainable } = spec;
  checkSpec('assembleGradientStep', params, output, trainable);
  const g = params.graph;
  const grads = grad(output, trainable.map((p) => p.value), seed);
  const outputs: Record<string, Value> = seed ? {} : { [LOSS_OUTPUT]: output };
  const keep = spec.accumulate ? g.input(ACCUMULATE_INPUT, 'float32', []) : undefined;
  trainable.forEach((p, i) => {
    const name = `${GRAD_PREFIX}${p.name}`;
    if (!keep) outputs[name] = grads[i]!;
    else outputs[`${UPDATED_PREFIX}${name}`] = b.add(b.mul(g.input(name, 'float32', p.shape), keep), grads[i]!);
  });
  addForwardOutputs('assembleGradientStep', outputs, params, spec.metrics ?? {});
  return outputs;
}

export interface ApplyStep extends TrainingStep {
  graph: Graph;
}

/** The apply half of a split step, in a graph of its own: params, `grad.<param>`, optimizer state, lr, step in; updates out. */
export function assembleApplyStep(trainable: readonly TrainableInfo[], optimizer: OptimizerConfig): ApplyStep {
  const g = new b.Graph();
  const params = trainable.map((p) => g.input(p.name, 'float32', p.shape));
  const grads = trainable.map((p) => g.input(`${GRAD_PREFIX}${p.name}`, 'float32', p.shape));
  return { graph: g, ...emitOptimizer(g, trainable, params, grads, optimizer) };
}

/** The step graph and its serialisation options; the optimizer state list travels in the metadata. */
export function stepModel(graph: Graph, step: TrainingStep, metadata: Record<string, string> = {}): { graph: Graph; options: b.ModelOptions } {
  return {
    graph,
    options: { outputs: step.outputs, name: 'training_step', metadata: { optimizer_state: JSON.stringify(step.optimizerState), ...metadata } },
  };
}

/** The step graph as ONNX model bytes (the portable graph, as build-graph writes it). */
export function serializeStep(graph: Graph, step: TrainingStep, metadata: Record<string, string> = {}): Uint8Array {
  const model = stepModel(graph, step, metadata);
  return b.serialize(model.graph, model.options);
}
