import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Mul: directional check with broadcasting on both sides, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1] }], f: (x, y) => b.mul(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Mul: full Jacobian of x * x (one value on both sides), float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3] }], f: (x) => b.mul(x, x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Mul: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }, { shape: [4] }], f: (x, y) => b.mul(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
