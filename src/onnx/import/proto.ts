// ModelProto bytes -> a plain model to import: nodes with typed attributes, initializers with their
// data, the graph's inputs and outputs. With serialize.ts and decode.ts, the only importer of onnx-proto.

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';
import { type DType, type HostArray, ONNX_DTYPE_CODE, allocate } from '../dtype.ts';
import type { Dim } from '../shape.ts';
import { ImportError } from './errors.ts';

const { onnx } = onnxProto;

export interface OnnxTensor {
  dtype: DType;
  dims: number[];
  data: HostArray;
}

export type OnnxAttribute =
  | { type: 'int'; value: number }
  | { type: 'float'; value: number }
  | { type: 'string'; value: string }
  | { type: 'ints'; value: number[] }
  | { type: 'floats'; value: number[] }
  | { type: 'tensor'; value: OnnxTensor }
  /** Graphs, sparse tensors, string lists ...: no op this importer reads takes them. */
  | { type: 'other'; kind: string };

export interface OnnxNode {
  /** The node's name, or `<op>_<index>` for an unnamed node (errors must point somewhere). */
  name: string;
  opType: string;
  domain: string;
  /** '' for an absent optional input. */
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  name: string;
  /** Our dtype of the value, or undefined where it has no tensor type we know. */
  dtype: DType | undefined;
  /** Dims as numbers or symbolic names; undefined when the shape is absent. */
  dims: Dim[] | undefined;
}

export interface OnnxModel {
  /** What errors call the model: its file name. */
  source: string;
  /** The ai.onnx opset it imports. */
  opset: number;
  producer: string;
  nodes: OnnxNode[];
  initializers: Map<string, OnnxTensor>;
  /** Graph inputs without an initializer: what the caller feeds. */
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
}

type Long = number | { toNumber(): number } | null | undefined;
const num = (v: Long): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber());

const DTYPES = new Map<number, DType>(Object.entries(ONNX_DTYPE_CODE).map(([dtype, code]) => [code, dtype as DType]));
const TYPE_NAMES: Record<number, string> = { 3: 'int8', 4: 'uint16', 5: 'int16', 8: 'string', 10: 'float16', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16' };

/** ONNX element type code -> our dtype, or an error naming what has it. */
export function dtypeOf(code: number, what: string): DType {
  const dtype = DTYPES.get(code);
  if (!dtype) throw new ImportError(`${what} has element type ${TYPE_NAMES[code] ?? code}, which is not supported (float32, float64, int64, int32, bool, uint8 are)`);
  return dtype;
}

/** TensorProto -> dtype, dims and data: raw little-endian bytes or the typed repeated fields. */
export function tensorOf(t: OnnxTypes.ITensorProto, what: string): OnnxTensor {
  const dtype = dtypeOf(t.dataType ?? 0, what);
  const dims = (t.dims ?? []).map(num);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new ImportError(`${what} keeps its data in an external file, which is not supported: save the model with its weights inside (onnx.save(model, f, save_as_external_data=False))`);
  }
  const count = dims.reduce((a, d) => a * d, 1);
  const data = allocate(dtype, count);
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== data.byteLength) throw new ImportError(`${what} has ${t.rawData.length} bytes of data, its shape [${dims.join(', ')}] needs ${data.byteLength}`);
    new Uint8Array(data.buffer).set(t.rawData); // copied: the proto's bytes may be unaligned
    return { dtype, dims, data };
  }
  const typed = dtype === 'float32' ? t.floatData : dtype === 'float64' ? t.doubleData : dtype === 'int64' ? t.int64Data : t.int32Data;
  const values = (typed ?? []).map(num);
  if (values.length !== count) throw new ImportError(`${what} has ${values.length} values, its shape [${dims.join(', ')}] needs ${count}`);
  if (data instanceof BigInt64Array) values.forEach((v, i) => { data[i] = BigInt(v); });
  else data.set(values);
  return { dtype, dims, data };
}

function attributeOf(a: OnnxTypes.IAttributeProto, what: string): OnnxAttribute {
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.INT: return { type: 'int', value: num(a.i) };
    case T.FLOAT: return { type: 'float', value: a.f ?? 0 };
    case T.STRING: return { type: 'string', value: new TextDecoder().decode(a.s ?? new Uint8Array()) };
    case T.INTS: return { type: 'ints', value: (a.ints ?? []).map(num) };
    case T.FLOATS: return { type: 'floats', value: [...(a.floats ?? [])] };
    case T.TENSOR: return { type: 'tensor', value: tensorOf(a.t ?? {}, `${what} attribute ${a.name ?? ''}`) };
    default: return { type: 'other', kind: T[a.type ?? 0] ?? String(a.type) };
  }
}

function valueInfo(v: OnnxTypes.IValueInfoProto): OnnxValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim?.map((d): Dim => (d.dimParam ? d.dimParam : d.dimValue === null || d.dimValue === undefined ? '?' : num(d.dimValue)));
  return { name: v.name ?? '', dtype: DTYPES.get(tt?.elemType ?? 0), dims };
}

/** Decodes ModelProto bytes; `source` names the model in every error. */
export function readOnnxModel(bytes: Uint8Array, source: string): OnnxModel {
  let m: OnnxTypes.ModelProto;
  try {
    m = onnx.ModelProto.decode(bytes);
  } catch (err) {
    throw new ImportError(`${source} is not an ONNX model: ${err instanceof Error ? err.message : String(err)}`);
  }
  const g = m.graph;
  if (!g || (g.node ?? []).length === 0) throw new ImportError(`${source} has no graph (is it an ONNX model?)`);
  const opset = (m.opsetImport ?? []).find((o) => (o.domain ?? '') === '' || o.domain === 'ai.onnx');
  return ImportError.wrap(source, () => {
    const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', tensorOf(t, `initializer ${t.name ?? ''}`)] as const));
    const nodes = (g.node ?? []).map((n, i): OnnxNode => {
      const name = n.name || `${n.opType ?? 'node'}_${i}`;
      const what = `node ${name} (${n.opType ?? ''})`;
      return {
        name,
        opType: n.opType ?? '',
        domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
        inputs: [...(n.input ?? [])],
        outputs: [...(n.output ?? [])],
        attributes: Object.fromEntries((n.attribute ?? []).map((a) => [a.name ?? '', attributeOf(a, what)])),
      };
    });
    return {
      source,
      opset: opset ? num(opset.version) : 0,
      producer: [m.producerName, m.producerVersion].filter(Boolean).join(' '),
      nodes,
      initializers,
      inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(valueInfo),
      outputs: (g.output ?? []).map(valueInfo),
    };
  });
}
