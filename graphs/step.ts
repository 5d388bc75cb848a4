// The generic training-step assembler: forward loss -> gradients (our autodiff) -> optimizer update, as
// one graph. Convention: an output named `updated.X` is fed back as input `X` at the next step.
//
// Inputs it declares: `lr` (float32 [], this step's learning rate), `step` (float32 [], 1-based count of this
// step), and `<param>.<slot>` for every optimizer state slot of every trainable param (zeros at start).
// Outputs: `loss`, `updated.<param>` per trainable param, `updated.<buffer>` per buffer update of the
// forward pass, `updated.<param>.<slot>` per optimizer state, and the metrics by name.

import * as b from '../src/onnx/index.ts';
import type { Graph, Value } from '../src/onnx/index.ts';
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

export interface StateInfo {
  name: string;
  /** Zeros at start. */
  shape: readonly number[];
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

export function assembleTrainingStep(spec: TrainingStepSpec): TrainingStep {
  const { params, loss, trainable, optimizer } = spec;
  const g = params.graph;
  if (g.scopePath !== '') throw new Error(`assembleTrainingStep: call at the root scope, not inside ${g.scopePath}`);
  if (loss.graph !== g) throw new Error('assembleTrainingStep: loss belongs to another graph than params');
  if (loss.shape.some((d) => d !== 1)) throw new Error(`assembleTrainingStep: loss must be a scalar, got ${loss}`);
  for (const p of trainable) {
    if (p.role !== 'param' || !params.list.includes(p)) throw new Error(`assembleTrainingStep: ${p.name} is not a parameter of this model`);
  }

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

  const grads = grad(loss, trainable.map((p) => p.value));
  const outputs: Record<string, Value> = { [LOSS_OUTPUT]: loss };
  g.scope('optimizer', () => {
    trainable.forEach((p, i) => {
      const update = g.scope(p.name, () =>
        emitUpdate(optimizer, { param: p.value, grad: grads[i]!, state: stateInputs[i]!, lr, step, decay: p.decay }),
      );
      outputs[`${UPDATED_PREFIX}${p.name}`] = update.param;
      for (const slot of slots) {
        const next = update.state[slot];
        if (!next) throw new Error(`optimizer ${optimizer.kind} returned no ${slot} for ${p.name}`);
        outputs[`${UPDATED_PREFIX}${p.name}.${slot}`] = next;
      }
    });
  });
  for (const [name, next] of params.bufferUpdates) outputs[`${UPDATED_PREFIX}${name}`] = next;
  for (const [name, value] of Object.entries(spec.metrics ?? {})) {
    if (name in outputs || name.startsWith(UPDATED_PREFIX)) throw new Error(`assembleTrainingStep: metric name ${name} clashes with a step output`);
    outputs[name] = value;
  }
  return { outputs, optimizerState };
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
