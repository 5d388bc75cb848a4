import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { Params } from '../../graphs/params.ts';
import { initialState } from '../../src/runtime/init.ts';

function model(order: 'ab' | 'ba'): Params {
  const p = new Params(new b.Graph());
  const declare = {
    a: () => p.param('conv.weight', [64, 8, 3, 3], { kind: 'kaiming_normal', fan: 64 * 9 }),
    b: () => p.param('fc.weight', [10, 512], { kind: 'uniform', bound: 0.25 }),
  };
  for (const k of order) declare[k === 'a' ? 'a' : 'b']();
  p.param('bn.weight', [8], { kind: 'ones' }, { decay: false });
  p.buffer('bn.running_mean', [8], { kind: 'zeros' });
  return p;
}

const stats = (x: Float32Array): { mean: number; std: number } => {
  const mean = x.reduce((s, v) => s + v, 0) / x.length;
  return { mean, std: Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / x.length) };
};

test('initialState: each Init draws the right distribution; optimizer state is zeros', () => {
  const state = initialState(model('ab').list, [{ name: 'fc.weight.momentum_buffer', shape: [10, 512] }], 7);
  assert.deepEqual([...state.keys()], ['conv.weight', 'fc.weight', 'bn.weight', 'bn.running_mean', 'fc.weight.momentum_buffer']);
  const conv = state.get('conv.weight')!;
  assert.deepEqual(conv.dims, [64, 8, 3, 3]);
  const { mean, std } = stats(conv.data as Float32Array);
  assert.ok(Math.abs(mean) < 0.005, `kaiming mean ${mean}`);
  assert.ok(Math.abs(std / Math.sqrt(2 / (64 * 9)) - 1) < 0.03, `kaiming std ${std}`);
  const fc = state.get('fc.weight')!.data as Float32Array;
  assert.ok(fc.every((v) => v >= -0.25 && v < 0.25));
  assert.ok(Math.abs(stats(fc).std - 0.25 / Math.sqrt(3)) < 0.005, 'uniform std is bound / sqrt(3)');
  assert.deepEqual(Array.from(state.get('bn.weight')!.data, Number), Array(8).fill(1));
  assert.deepEqual(Array.from(state.get('bn.running_mean')!.data, Number), Array(8).fill(0));
  assert.ok((state.get('fc.weight.momentum_buffer')!.data as Float32Array).every((v) => v === 0));
});

test('initialState: seeded, and independent of declaration order', () => {
  const x = initialState(model('ab').list, [], 3);
  const y = initialState(model('ba').list, [], 3);
  const z = initialState(model('ab').list, [], 4);
  assert.deepEqual(x.get('conv.weight')!.data, y.get('conv.weight')!.data);
  assert.deepEqual(x.get('fc.weight')!.data, y.get('fc.weight')!.data);
  assert.notDeepEqual(x.get('conv.weight')!.data, z.get('conv.weight')!.data);
  assert.throws(() => initialState(model('ab').list, [{ name: 'conv.weight', shape: [1] }], 3), /duplicate name conv.weight/);
});
