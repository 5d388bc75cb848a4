// Graph -> ONNX ModelProto bytes. The only module that imports onnx-proto.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { type HostArray, ONNX_DTYPE_CODE } from './dtype.ts';
import { GraphError, type Graph, type Node, type Value } from './graph.ts';
import { OP_DOMAINS } from './op_types.ts';
import { expandComposites } from './ops/composite.ts';

const { onnx } = onnxProto;

/** The one pinned opset (reductions take axes as an input from 18 on) and the IR version that carries it. */
export const OPSET = 18;
export const IR_VERSION = 8;

export interface ModelOptions {
  /** Graph outputs by name. */
  outputs: Record<string, Value>;
  /** Graph inputs whose values are baked in as initializers (exported weights). */
  freeze?: ReadonlyMap<Value, HostArray>;
  /** Drop declared inputs that no output depends on (inference models). */
  pruneInputs?: boolean;
  metadata?: Record<string, string>;
  name?: string;
  docString?: string;
}

const FLOAT_ATTRS = new Set(['alpha', 'beta', 'epsilon', 'momentum']);

function attribute(name: string, value: unknown): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return FLOAT_ATTRS.has(name) ? { name, type: T.FLOAT, f: value } : { name, type: T.INT, i: value };
  if (Array.isArray(value) && value.every((v) => typeof v === 'number')) return { name, type: T.INTS, ints: value };
  throw new GraphError(`attribute ${name} has an unsupported value ${String(value)}`);
}

function tensor(name: string, value: Value, data: HostArray): OnnxTypes.ITensorProto {
  return {
    name,
    dataType: ONNX_DTYPE_CODE[value.dtype],
    dims: value.shape.map(Number),
    rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}

function valueInfo(name: string, value: Value): OnnxTypes.IValueInfoProto {
  const dim = value.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ONNX_DTYPE_CODE[value.dtype], shape: { dim } } } };
}

/** Inputs up to the last present one. */
function withoutTrailingAbsent(inputs: readonly (Value | undefined)[]): readonly (Value | undefined)[] {
  let n = inputs.length;
  while (n > 0 && inputs[n - 1] === undefined) n--;
  return inputs.slice(0, n);
}

/** Nodes that some output depends on, in construction (= topological) order. */
function liveNodes(graph: Graph, outputs: readonly Value[]): Node[] {
  const live = new Set<Node>();
  const stack = [...outputs];
  while (stack.length > 0) {
    const node = stack.pop()!.producer;
    if (!node || live.has(node)) continue;
    live.add(node);
    for (const v of node.inputs) if (v) stack.push(v);
  }
  return graph.nodes.filter((n) => live.has(n));
}

/** The non-default domains that `nodes` use (each at version 1, the only one ONNX Runtime's contrib domains have). */
function extraDomains(nodes: readonly Node[]): string[] {
  return [...new Set(nodes.flatMap((n) => OP_DOMAINS[n.op]?.domain ?? []))];
}

export function serialize(graph: Graph, options: ModelOptions): Uint8Array {
  const names = new Map<Value, string>();
  const nameOf = (v: Value): string => {
    let n = names.get(v);
    if (n === undefined) {
      n = v.name ?? (v.producer ? `${v.producer.name}:${v.producer.outputs.indexOf(v)}` : `const_${v.id}`);
      names.set(v, n);
    }
    return n;
  };
  const freeze = options.freeze ?? new Map<Value, HostArray>();
  const outputEntries = Object.entries(options.outputs);
  // An intermediate value takes its output's name; an input, a constant or a value already output under
  // another name is routed through an Identity.
  const identities: OnnxTypes.INodeProto[] = [];
  for (const [name, v] of outputEntries) {
    if (v.producer && !names.has(v)) names.set(v, name);
    else identities.push({ name: `output/${name}`, opType: 'Identity', domain: '', input: [nameOf(v)], output: [name] });
  }
  const live = liveNodes(graph, outputEntries.map(([, v]) => v));
  if (live.some((n) => n.expand)) {
    if (options.freeze) throw new GraphError('serialize: expand the composite ops before freezing inputs');
    const expanded = expandComposites(graph, options.outputs);
    return serialize(expanded.graph, { ...options, outputs: expanded.outputs });
  }
  const protoNodes: OnnxTypes.INodeProto[] = live.map((node) => ({
    name: node.name,
    opType: OP_DOMAINS[node.op]?.opType ?? node.op,
    domain: OP_DOMAINS[node.op]?.domain ?? '',
    // Trailing absent optional inputs are left out, not written as '' (onnxruntime-web's WebGPU Conv
    // rejects an empty bias name: "invalid bias").
    input: withoutTrailingAbsent(node.inputs).map((v) => (v ? nameOf(v) : '')),
    output: node.outputs.map(nameOf),
    attribute: Object.entries(node.attrs).map(([k, v]) => attribute(k, v)),
  }));
  protoNodes.push(...identities);
  const protoOutputs = outputEntries.map(([name, v]) => valueInfo(name, v));

  const used = new Set(protoNodes.flatMap((n) => n.input ?? []));
  const initializers: OnnxTypes.ITensorProto[] = [];
  for (const [v, c] of graph.constants) if (used.has(nameOf(v))) initializers.push(tensor(nameOf(v), v, c.data));
  for (const [v, data] of freeze) if (used.has(nameOf(v))) initializers.push(tensor(nameOf(v), v, data));
  const inputs = graph.inputs.filter((v) => !freeze.has(v) && (!options.pruneInputs || used.has(nameOf(v))));

  const model: OnnxTypes.IModelProto = {
    irVersion: IR_VERSION,
    producerName: 'supcon-onnx',
    opsetImport: [{ domain: '', version: OPSET }, ...extraDomains(live).map((domain) => ({ domain, version: 1 }))],
    graph: {
      name: options.name ?? 'graph',
      node: protoNodes,
      initializer: initializers,
      input: inputs.map((v) => valueInfo(nameOf(v), v)),
      output: protoOutputs,
    },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
    ...(options.docString ? { docString: options.docString } : {}),
  };
  return onnx.ModelProto.encode(model).finish();
}
