// The importer's driver: an ONNX model -> ops of a builder graph. `planImport` finds what the requested
// outputs need (the nodes, each of a supported op, and the initializers that are parameters: Conv and
// Gemm weights and biases, MatMul weights and the bias Added after them, BatchNormalization's
// statistics) before anything is built; `importOnnxGraph` then emits one node after the other, each
// inside the scope of its module (`encoder.layer1.0.conv1/Conv_3`), through the converters of convert/.

import * as b from '../index.ts';
import type { Graph, Value } from '../index.ts';
import { type BatchNormHook, type ImportEnv, type Known, NodeContext, known, materialize } from './context.ts';
import { CONVERTERS, SUPPORTED_OPS } from './convert/index.ts';
import { ImportError } from './errors.ts';
import { modulePath, parameterName, uniqueName } from './naming.ts';
import { upgradeToOpset18 } from './opset.ts';
import type { OnnxModel, OnnxNode, OnnxTensor } from './proto.ts';

export type ParameterRole = 'weight' | 'bias' | 'running_mean' | 'running_var';

export interface ParameterSlot {
  /** The ONNX tensor: an initializer, or an Identity or Constant output that holds one. */
  tensor: string;
  /** Its state-dict name (naming.ts), unique in the model. */
  name: string;
  role: ParameterRole;
  /** The first node that reads it as a parameter. */
  node: OnnxNode;
  data: Float32Array;
  dims: number[];
}

export interface ImportPlan {
  /** The model in its opset-18 form. */
  model: OnnxModel;
  /** The nodes the outputs need, in model (topological) order. */
  nodes: OnnxNode[];
  parameters: ParameterSlot[];
  /** Float tensors of more than one element that those nodes read as constants, not as parameters. */
  constants: string[];
}

export interface ImportHooks {
  /** The value of a parameter slot (a graph input); without it, parameters are constants. */
  parameter?: (slot: ParameterSlot) => Value;
  /** How BatchNormalization runs; without it, in inference form with its running statistics. */
  batchNorm?: BatchNormHook;
}

/** Parameter slots of a node, by input index; MatMul's is whichever operand is constant. */
const SLOTS: Readonly<Record<string, readonly (readonly [number, ParameterRole])[]>> = {
  Conv: [[1, 'weight'], [2, 'bias']],
  ConvTranspose: [[1, 'weight'], [2, 'bias']],
  Gemm: [[1, 'weight'], [2, 'bias']],
  MatMul: [[0, 'weight'], [1, 'weight']],
  BatchNormalization: [[1, 'weight'], [2, 'bias'], [3, 'running_mean'], [4, 'running_var']],
};

/** Tensors known before anything runs: initializers, Constant outputs, and Identity chains of them. */
function constantTensors(model: OnnxModel): Map<string, OnnxTensor> {
  const constants = new Map(model.initializers);
  for (const node of model.nodes) {
    const value = node.attributes['value'];
    if (node.opType === 'Constant' && value?.type === 'tensor') constants.set(node.outputs[0]!, value.value);
    const source = node.opType === 'Identity' ? constants.get(node.inputs[0] ?? '') : undefined;
    if (source) constants.set(node.outputs[0]!, source);
  }
  return constants;
}

function neededNodes(model: OnnxModel, outputs: readonly string[]): OnnxNode[] {
  const producer = new Map(model.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const defined = (t: string): boolean => producer.has(t) || model.initializers.has(t) || model.inputs.some((v) => v.name === t);
  for (const out of outputs) {
    if (!defined(out)) {
      const last = model.nodes.slice(-6).map((n) => `${n.outputs[0]} (${n.opType})`).join(', ');
      throw new ImportError(`${model.source} has no value named ${out}; its last node outputs are ${last}`);
    }
  }
  const needed = new Set<OnnxNode>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = producer.get(stack.pop()!);
    if (!node || needed.has(node)) continue;
    needed.add(node);
    stack.push(...node.inputs.filter((i) => i !== ''));
  }
  return model.nodes.filter((n) => needed.has(n));
}

/** What importing `outputs` of `model` takes; unsupported ops and opsets are errors here, before any build. */
export function planImport(original: OnnxModel, outputs: readonly string[]): ImportPlan {
  const model = upgradeToOpset18(original);
  const nodes = neededNodes(model, outputs);
  const unsupported = nodes.filter((n) => n.domain !== '' || !(n.opType in CONVERTERS));
  if (unsupported.length > 0) {
    const list = unsupported.slice(0, 8).map((n) => `${n.name} (${n.domain ? `${n.domain}.` : ''}${n.opType})`).join(', ');
    throw new ImportError(`${model.source}: ${unsupported.length} node(s) use an op the importer does not support: ${list}${unsupported.length > 8 ? ', ...' : ''}. Supported: ${SUPPORTED_OPS.join(', ')}`);
  }
  const constants = constantTensors(model);
  const producers = new Map(nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
  const slots = new Map<string, ParameterSlot>();
  const taken = new Set<string>();
  for (const node of nodes) {
    const table = SLOTS[node.opType] ?? [];
    // The bias a Linear layer on more than two dims exports as MatMul + Add.
    const addBias = node.opType === 'Add' ? node.inputs.findIndex((t, i) => constants.has(t) && producers.get(node.inputs[1 - i] ?? '') === 'MatMul') : -1;
    for (const [index, role] of addBias >= 0 ? [[addBias, 'bias'] as const] : table) {
      const tensor = node.inputs[index] ?? '';
      const data = constants.get(tensor);
      if (!data || slots.has(tensor)) continue;
      if (!(data.data instanceof Float32Array)) {
        throw new ImportError(`${model.source}: node ${node.name} (${node.opType}): its ${role} ${tensor} is ${data.dtype}; parameters must be float32`);
      }
      const name = uniqueName(parameterName(tensor, node, role), taken);
      taken.add(name);
      slots.set(tensor, { tensor, name, role, node, data: data.data, dims: data.dims });
    }
  }
  // Identity only passes a constant on: its readers count.
  const read = new Set(nodes.filter((n) => n.opType !== 'Identity').flatMap((n) => n.inputs));
  const kept = [...constants].filter(([t, c]) => read.has(t) && !slots.has(t) && c.data instanceof Float32Array && c.data.length > 1).map(([t]) => t);
  return { model, nodes, parameters: [...slots.values()], constants: kept };
}

/** Emits `plan` into `graph` at its current scope; `inputs` feeds the model's graph inputs by name. */
export function importOnnxGraph(plan: ImportPlan, graph: Graph, inputs: Readonly<Record<string, Value>>, outputs: readonly string[], hooks: ImportHooks = {}): Value[] {
  const { model } = plan;
  return ImportError.wrap(model.source, () => {
    const knowns = new Map<string, Known>();
    for (const [name, tensor] of model.initializers) knowns.set(name, { kind: 'constant', tensor });
    for (const [name, value] of Object.entries(inputs)) knowns.set(name, known(value));
    const parameters = new Map(plan.parameters.map((p) => [p.tensor, hooks.parameter?.(p)] as const));
    for (const [tensor, value] of parameters) if (value) knowns.set(tensor, known(value));
    const env: ImportEnv = {
      graph,
      batchNorm: hooks.batchNorm ?? ((x, s, a) => b.batchNormInference(x, s.scale, s.bias, s.mean, s.variance, a.epsilon)),
      materialized: new WeakMap(),
    };
    for (const node of plan.nodes) {
      ImportError.wrap(`node ${node.name} (${node.opType})`, () => {
        const ins = node.inputs.map((t) => {
          if (t === '') return undefined;
          const k = knowns.get(t);
          if (!k) throw new ImportError(`reads ${t}, which no earlier node, initializer or fed input defines`);
          return k;
        });
        const ctx = new NodeContext(node, env, ins);
        const scope = modulePath(node.name);
        const results = scope ? graph.scope(scope, () => CONVERTERS[node.opType]!(ctx)) : CONVERTERS[node.opType]!(ctx);
        const unread = ctx.unread();
        if (unread.length > 0) throw new ImportError(`attribute ${unread.join(', ')} is not supported`);
        results.forEach((r, i) => {
          const out = node.outputs[i];
          const param = out ? parameters.get(out) : undefined;
          if (out) knowns.set(out, param ? known(param) : r instanceof b.Value ? known(r) : r);
        });
      });
    }
    return outputs.map((name) => {
      const k = knowns.get(name);
      if (!k) throw new ImportError(`output ${name} was not computed`);
      return materialize(k, env, `output ${name}`);
    });
  });
}

/** The input of the model's last Gemm or MatMul: its features, with the classifier cut off. */
export function defaultFeatureOutput(model: OnnxModel): string {
  const last = [...model.nodes].reverse().find((n) => n.opType === 'Gemm' || n.opType === 'MatMul');
  if (!last) throw new ImportError(`${model.source} has no Gemm or MatMul to cut the classifier off at: name the feature value (--feature-output)`);
  return last.inputs[0]!;
}
