// Element types the builder knows, with their ONNX codes and host array types.

export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool' | 'uint8';

export const FLOAT_DTYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'float64']);

export const ONNX_DTYPE_CODE: Readonly<Record<DType, number>> = {
  float32: 1,
  uint8: 2,
  int32: 6,
  int64: 7,
  bool: 9,
  float64: 11,
};

export type HostArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/** Host array for `n` elements of `dtype` (bool is stored one byte per element, as ONNX does). */
export function allocate(dtype: DType, n: number): HostArray {
  switch (dtype) {
    case 'float32': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'int32': return new Int32Array(n);
    case 'bool':
    case 'uint8': return new Uint8Array(n);
  }
}

/** Host array filled from plain numbers. */
export function fromNumbers(dtype: DType, values: readonly number[]): HostArray {
  const out = allocate(dtype, values.length);
  if (out instanceof BigInt64Array) values.forEach((v, i) => { out[i] = BigInt(v); });
  else out.set(values);
  return out;
}

export function isFloat(dtype: DType): boolean {
  return FLOAT_DTYPES.has(dtype);
}
