import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

test('Slice: full Jacobian, negative start and clamped end, steps 1, float64', async (t) => {
  // x[-3:100, 1:-1]
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [4, 5] }], f: (x) => b.slice(x, [-3, 1], [100, -1], [0, 1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Slice: full Jacobian, steps 2 and 3 on two axes, float64', async (t) => {
  // rows 1, 3 of 5 (step 2, the last row left over); cols 0, 3, 6 of 7 (step 3, span = width)
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [5, 7] }], f: (x) => b.slice(x, [1, 0], [-1, 7], [0, 1], [2, 3]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Slice: full Jacobian, negative axis, step 2 with a negative start below -dim (clamped to 0), float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 5] }], f: (x) => b.slice(x, [-9], [4], [-1], [2]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Slice: directional check, strided middle axis of a rank-4 tensor, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 8, 3, 2] }], f: (x) => b.slice(x, [1], [8], [1], [3]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Slice: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [4, 6] }], f: (x) => b.slice(x, [1, -5], [3, 6], [0, 1], [1, 2]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Slice: symbolic batch axis left whole, strided feature axis', async () => {
  const run = await gradFunction([{ shape: ['N', 5] }], (x) => b.slice(x, [0], [5], [1], [2]));
  const { grads } = await run([{ dims: [3, 5], data: Array.from({ length: 15 }, (_, i) => i) }]);
  assert.deepEqual(grads[0], [1, 0, 1, 0, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1]);
});

test('Slice: an empty slice gives zeros', async () => {
  const run = await gradFunction([{ shape: [3, 2] }], (x) => b.add(b.reduceSum(b.slice(x, [2], [1], [0]), []), b.reduceSum(x, [])));
  const { grads } = await run([{ dims: [3, 2], data: [1, 2, 3, 4, 5, 6] }]);
  assert.deepEqual(grads[0], [1, 1, 1, 1, 1, 1]);
});
