import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Tensor, decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.ts';

test('safetensors: round trip of every dtype, header layout and 8-byte data alignment', () => {
  const tensors = new Map<string, Tensor>([
    ['encoder.conv1.weight', { dtype: 'float32', dims: [2, 1, 3, 3], data: Float32Array.from({ length: 18 }, (_, i) => i / 7 - 1) }],
    ['scalar', { dtype: 'float64', dims: [], data: new Float64Array([Math.PI]) }],
    ['ids', { dtype: 'int64', dims: [3], data: new BigInt64Array([-1n, 0n, 2n ** 40n]) }],
    ['i32', { dtype: 'int32', dims: [2], data: new Int32Array([7, -7]) }],
    ['flags', { dtype: 'bool', dims: [3], data: new Uint8Array([1, 0, 1]) }],
    ['bytes', { dtype: 'uint8', dims: [1], data: new Uint8Array([255]) }],
    ['empty', { dtype: 'float32', dims: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = encodeSafetensors(tensors, { format: 'pt' });
  const headerLength = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal((8 + headerLength) % 8, 0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength))) as Record<string, unknown>;
  assert.deepEqual(header['encoder.conv1.weight'], { dtype: 'F32', shape: [2, 1, 3, 3], data_offsets: [0, 72] });
  assert.deepEqual(header.__metadata__, { format: 'pt' });
  // The weight's first float sits right after the header, little-endian.
  assert.equal(new DataView(bytes.buffer).getFloat32(8 + headerLength, true), -1);

  const decoded = decodeSafetensors(bytes);
  assert.deepEqual(decoded.metadata, { format: 'pt' });
  assert.deepEqual([...decoded.tensors.keys()], [...tensors.keys()]);
  for (const [name, t] of tensors) {
    const d = decoded.tensors.get(name)!;
    assert.equal(d.dtype, t.dtype, name);
    assert.deepEqual(d.dims, t.dims, name);
    assert.deepEqual(Array.from(d.data, Number), Array.from(t.data, Number), name);
  }
});

test('safetensors: malformed files are rejected with a reason', () => {
  assert.throws(() => decodeSafetensors(new Uint8Array(4)), /header length/);
  const bad = encodeSafetensors(new Map([['x', { dtype: 'float32', dims: [2], data: new Float32Array(2) }]]));
  assert.throws(() => decodeSafetensors(bad.subarray(0, bad.length - 1)), /offsets/);
});
