import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

const cond = { shape: [2, 1, 4], dtype: 'bool' as const, constant: true, data: [1, 0, 0, 1, 0, 1, 1, 0] };

test('Where: directional check, condition and both branches broadcast, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [cond, { shape: [3, 1] }, { shape: [2, 3, 4] }], f: (c, x, y) => b.where(c, x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Where: full Jacobian, condition computed from the differentiated input, float64', async (t) => {
  // where(x > 0, x * x, -x): the condition is a non-differentiable path, each branch gets its share.
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [2, 3], data: [0.5, -0.4, 0.3, -0.7, 0.9, -0.2] }],
    f: (x) => b.where(b.greater(x, 0), b.mul(x, x), b.neg(x)),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Where: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [cond, { shape: [4] }, { shape: [2, 3, 4] }], f: (c, x, y) => b.where(c, x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
