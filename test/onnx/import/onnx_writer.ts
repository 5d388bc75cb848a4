// ONNX models written by hand for the importer's tests, the way other exporters write them (names,
// attribute forms, opsets, shape arithmetic) rather than the way our serializer does.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

export type Attr = { i: number } | { f: number } | { s: string } | { ints: number[] } | { floats: number[] } | { t: Tensor };

export interface Tensor {
  dims: number[];
  data: Float32Array | BigInt64Array;
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  attrs?: Record<string, Attr>;
}

export interface ModelSpec {
  opset: number;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  initializers: Record<string, Tensor>;
  nodes: NodeSpec[];
}

function tensor(name: string, t: Tensor): OnnxTypes.ITensorProto {
  const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { name, dims: t.dims, dataType: t.data instanceof Float32Array ? 1 : 7, rawData: bytes.slice() };
}

function attribute(name: string, a: Attr): OnnxTypes.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('s' in a) return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: T.FLOATS, floats: a.floats };
  return { name, type: T.TENSOR, t: tensor('', a.t) };
}

const valueInfo = (v: { name: string; dims: (number | string)[] }): OnnxTypes.IValueInfoProto => ({
  name: v.name,
  type: { tensorType: { elemType: 1, shape: { dim: v.dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

export function writeModel(spec: ModelSpec): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8,
    producerName: 'test-exporter',
    opsetImport: [{ domain: '', version: spec.opset }],
    graph: {
      name: 'test',
      node: spec.nodes.map((n, i) => ({
        name: n.name ?? `node_${i}`,
        opType: n.op,
        domain: n.domain ?? '',
        input: n.inputs,
        output: n.outputs,
        attribute: Object.entries(n.attrs ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: Object.entries(spec.initializers).map(([name, t]) => tensor(name, t)),
      input: spec.inputs.map(valueInfo),
      output: spec.outputs.map(valueInfo),
    },
  }).finish();
}

/** Seeded values in [-scale, scale): a sine of the index, so that no two weights tie. */
export function weights(dims: number[], seed: number, scale = 0.5): Tensor {
  const n = dims.reduce((a, d) => a * d, 1);
  return { dims, data: Float32Array.from({ length: n }, (_, i) => scale * Math.sin(seed * 7.31 + i * 1.37 + Math.cos(i * 0.11 + seed))) };
}

export const int64s = (values: number[]): Tensor => ({ dims: [values.length], data: BigInt64Array.from(values, BigInt) });
export const scalar = (v: number): Tensor => ({ dims: [], data: Float32Array.of(v) });
