// ONNX ModelProto bytes -> a plain summary of the model, for validators and metadata readers outside
// src/onnx (this folder stays the only one that imports onnx-proto).

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
