// ONNX ModelProto bytes -> a plain summary of the model (for validators and metadata readers outside
// src/onnx) and its float32 weights (this folder stays the only one that imports onnx-proto).

import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

export interface DecodedValueInfo {
  name: string;
  /** ONNX element type code; 0 when the value carries no tensor type. */
  elemType: number;
  /** Dims as numbers or symbolic names; undefined when the shape is absent. */
  dims: (number | string)[] | undefined;
}

export interface DecodedNode {
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
}

export interface DecodedModel {
  irVersion: number;
  opsetImports: { domain: string; version: number }[];
  nodes: DecodedNode[];
  initializers: { name: string; dims: number[]; dataType: number }[];
  inputs: DecodedValueInfo[];
  outputs: DecodedValueInfo[];
  metadata: Record<string, string>;
}

const toNumber = (v: number | { toNumber(): number } | null | undefined): number =>
  v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber();

function valueInfo(v: OnnxTypes.IValueInfoProto): DecodedValueInfo {
  const tt = v.type?.tensorType;
  const dims = tt?.shape?.dim?.map((d) => (d.dimParam ? d.dimParam : toNumber(d.dimValue)));
  return { name: v.name ?? '', elemType: tt?.elemType ?? 0, dims };
}

/** Decodes ModelProto bytes; throws on bytes that are not a ModelProto. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const m = onnx.ModelProto.decode(bytes);
  const g = m.graph;
  return {
    irVersion: toNumber(m.irVersion),
    opsetImports: (m.opsetImport ?? []).map((o) => ({ domain: o.domain ?? '', version: toNumber(o.version) })),
    nodes: (g?.node ?? []).map((n) => ({
      name: n.name ?? '',
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: [...(n.input ?? [])],
      outputs: [...(n.output ?? [])],
    })),
    initializers: (g?.initializer ?? []).map((t) => ({ name: t.name ?? '', dims: (t.dims ?? []).map(toNumber), dataType: t.dataType ?? 0 })),
    inputs: (g?.input ?? []).map(valueInfo),
    outputs: (g?.output ?? []).map(valueInfo),
    metadata: Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? ''])),
  };
}

export interface DecodedWeight {
  dims: number[];
  data: Float32Array;
}

const FLOAT32 = 1;

/**
 * The float32 initializers of ModelProto bytes by name (raw_data or float_data, copied out of `bytes`):
 * the weights of an exported model, for a page that trains on from it. Other element types are skipped.
 */
export function decodeFloatInitializers(bytes: Uint8Array): Map<string, DecodedWeight> {
  const weights = new Map<string, DecodedWeight>();
  for (const t of onnx.ModelProto.decode(bytes).graph?.initializer ?? []) {
    if (t.dataType !== FLOAT32) continue;
    const dims = (t.dims ?? []).map(toNumber);
    const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
    // raw_data is little-endian, as every platform ONNX Runtime's web and Node packages run on.
    const data = raw ? new Float32Array(new Uint8Array(raw).buffer) : Float32Array.from(t.floatData ?? []); // a copy: aligned, own buffer
    const count = dims.reduce((a, d) => a * d, 1);
    if (data.length !== count) throw new Error(`initializer ${t.name ?? ''} holds ${data.length} values for dims [${dims.join(', ')}]`);
    weights.set(t.name ?? '', { dims, data });
  }
  return weights;
}
