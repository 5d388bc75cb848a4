// The safetensors format (huggingface/safetensors): 8-byte little-endian header length N, N bytes of JSON
// header `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__": { str: str } }`, then the
// raw little-endian tensor bytes, offsets relative to the end of the header. Pure bytes in and out.

import type { DType, HostArray } from '../onnx/index.ts';
import { allocate } from '../onnx/index.ts';

export interface Tensor {
  dtype: DType;
  dims: readonly number[];
  data: HostArray;
}

export interface Safetensors {
  tensors: Map<string, Tensor>;
  metadata: Record<string, string>;
}

const CODES: Readonly<Record<DType, string>> = { float32: 'F32', float64: 'F64', int64: 'I64', int32: 'I32', bool: 'BOOL', uint8: 'U8' };
const BYTES: Readonly<Record<DType, number>> = { float32: 4, float64: 8, int64: 8, int32: 4, bool: 1, uint8: 1 };

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) throw new Error('safetensors: big-endian hosts are not supported');

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const bytesOf = (a: HostArray): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Encodes tensors in insertion order; the header is space-padded so that the data starts 8-byte aligned. */
export function encodeSafetensors(tensors: ReadonlyMap<string, Tensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, t] of tensors) {
    const count = t.dims.reduce((a, d) => a * d, 1);
    if (t.data.length !== count) throw new Error(`safetensors: ${name} has ${t.data.length} elements, shape [${t.dims.join(', ')}] needs ${count}`);
    const size = count * BYTES[t.dtype];
    header[name] = { dtype: CODES[t.dtype], shape: [...t.dims], data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  if (padded !== json.length) json = new TextEncoder().encode(JSON.stringify(header) + ' '.repeat(padded - json.length));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors.values()) {
    out.set(bytesOf(t.data), at);
    at += t.data.byteLength;
  }
  return out;
}

function dtypeOf(code: string, name: string): DType {
  const found = (Object.keys(CODES) as DType[]).find((d) => CODES[d] === code);
  if (!found) throw new Error(`safetensors: ${name} has unsupported dtype ${code}`);
  return found;
}

const isInts = (v: unknown): v is number[] => Array.isArray(v) && v.every((d) => Number.isInteger(d) && d >= 0);

function parseEntry(entry: unknown, name: string): HeaderEntry {
  if (typeof entry === 'object' && entry !== null && 'dtype' in entry && 'shape' in entry && 'data_offsets' in entry) {
    const { dtype, shape, data_offsets: offsets } = entry;
    if (typeof dtype === 'string' && isInts(shape) && isInts(offsets) && offsets.length === 2) {
      return { dtype, shape, data_offsets: [offsets[0]!, offsets[1]!] };
    }
  }
  throw new Error(`safetensors: malformed header entry for ${name}`);
}

function parseMetadata(entry: unknown): Record<string, string> {
  if (typeof entry !== 'object' || entry === null) throw new Error('safetensors: __metadata__ is not an object');
  return Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, String(v)]));
}

/** Decodes safetensors bytes; tensor data is copied into fresh (aligned) arrays. */
export function decodeSafetensors(bytes: Uint8Array): Safetensors {
  if (bytes.length < 8) throw new Error('safetensors: file shorter than its 8-byte header length');
  const headerLength = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  if (8 + headerLength > bytes.length) throw new Error(`safetensors: header length ${headerLength} exceeds the file`);
  const parsed: unknown = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('safetensors: header is not a JSON object');
  const dataStart = 8 + headerLength;
  const tensors = new Map<string, Tensor>();
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(parsed)) {
    if (name === '__metadata__') {
      metadata = parseMetadata(entry);
      continue;
    }
    const { dtype: code, shape, data_offsets: [begin, end] } = parseEntry(entry, name);
    const dtype = dtypeOf(code, name);
    const count = shape.reduce((a, d) => a * d, 1);
    if (end - begin !== count * BYTES[dtype] || dataStart + end > bytes.length) {
      throw new Error(`safetensors: ${name} offsets [${begin}, ${end}] do not fit shape [${shape.join(', ')}] ${code}`);
    }
    const data = allocate(dtype, count);
    bytesOf(data).set(bytes.subarray(dataStart + begin, dataStart + end));
    tensors.set(name, { dtype, dims: shape, data });
  }
  return { tensors, metadata };
}
