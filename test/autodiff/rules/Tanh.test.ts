import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Tanh: directional check, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4] }], f: (x) => b.tanh(b.mul(x, 2)) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Tanh: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3] }], f: (x) => b.tanh(b.mul(x, 2)) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Tanh: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }], f: (x) => b.tanh(b.mul(x, 2)) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
