// manifest.json: what build-graph wrote and how to drive it: the training config and data shape; per
// graph its file, inputs and outputs (name, dtype, shape with 'batch' for symbolic dims), optimizer
// state; per parameter its shape, role and init; parameter counts per module. A trainer reads this instead of rebuilding graphs.

import type { TrainConfig } from '../config/train_config.ts';
import type { Init, ParamInfo } from '../../graphs/params.ts';
import type { BuiltGraph, GraphName } from '../../graphs/stages.ts';
import { LR_INPUT, STEP_INPUT, type StateInfo, UPDATED_PREFIX } from '../../graphs/step.ts';
import type { DType, Dim, Value } from '../onnx/index.ts';

export const MANIFEST_FORMAT = 'supcon-onnx/graphs@2';

export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: Dim[];
}

export interface GraphEntry {
  file: string;
  /** A training step (inputs `lr`, `step`; outputs `loss`, `updated.*`), or an inference graph. */
  step: boolean;
  inputs: TensorSpec[];
  outputs: TensorSpec[];
  /** Per-step data inputs (images, labels, features); the rest is state or `lr`/`step`. */
  feeds: string[];
  /** Parameters this step trains. */
  trainable: string[];
  optimizerState: StateInfo[];
  /** Other state with its starting values (stage 1's memory queue and momentum encoder), fed back like the optimizer's. */
  extraState: StateInfo[];
}

/** An Init as JSON: imported values are named by their source tensor, not written out. */
export type InitEntry = Exclude<Init, { kind: 'imported' }> | { kind: 'imported'; from: string };

export interface ParameterEntry {
  name: string;
  shape: number[];
  role: ParamInfo['role'];
  init: InitEntry;
  decay: boolean;
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  /** The training configuration the graphs are for. */
  config: TrainConfig;
  /** Input side, channels and class names the graphs are built for. */
  shape: { size: number; channels: 1 | 3; classes: string[] };
  seed: number;
  /** Initial parameters and buffers (safetensors). */
  init: string;
  graphs: Partial<Record<GraphName, GraphEntry>>;
  parameters: ParameterEntry[];
  /** Trained parameters (not buffers) per module prefix, and in total. */
  parameterCounts: { encoder: number; head: number; classifier: number; total: number };
  /** BatchNorm running statistics. */
  bufferCount: number;
}

const spec = (name: string, v: Value): TensorSpec => ({ name, dtype: v.dtype, shape: [...v.shape] });

const STATE_INPUTS = new Set([LR_INPUT, STEP_INPUT]);

export function graphEntry(built: BuiltGraph, file: string): GraphEntry {
  const state = new Set([...built.params.list.map((p) => p.name), ...built.optimizerState.map((s) => s.name), ...built.extraState.map((s) => s.name)]);
  const inputs = built.graph.inputs.map((v) => spec(v.name!, v));
  return {
    file,
    step: built.step,
    inputs,
    outputs: Object.entries(built.outputs).map(([name, v]) => spec(name, v)),
    feeds: inputs.map((i) => i.name).filter((n) => !state.has(n) && !STATE_INPUTS.has(n)),
    trainable: built.step ? built.params.trainable().filter((p) => `${UPDATED_PREFIX}${p.name}` in built.outputs).map((p) => p.name) : [],
    optimizerState: built.optimizerState,
    extraState: built.extraState,
  };
}

export function parameterEntry(p: ParamInfo): ParameterEntry {
  const init: InitEntry = p.init.kind === 'imported' ? { kind: 'imported', from: p.init.from } : p.init;
  return { name: p.name, shape: [...p.shape], role: p.role, init, decay: p.decay };
}

export function parameterCounts(params: readonly ParameterEntry[]): Manifest['parameterCounts'] {
  const count = (prefix: string): number =>
    params.filter((p) => p.role === 'param' && p.name.startsWith(prefix)).reduce((n, p) => n + p.shape.reduce((a, d) => a * d, 1), 0);
  return { encoder: count('encoder.'), head: count('head.'), classifier: count('classifier.'), total: count('') };
}
