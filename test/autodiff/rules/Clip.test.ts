import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// Inputs at least 0.1 away from the bounds -0.5 and 0.5, on both sides of each.
const xs = [-0.9, -0.7, -0.6, -0.4, -0.2, 0, 0.1, 0.35, 0.4, 0.6, 0.8, 0.95];

test('Clip: directional check, both bounds, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4], data: xs }], f: (x) => b.clip(x, -0.5, 0.5) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Clip: full Jacobian, lower bound only, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: xs.slice(0, 6) }], f: (x) => b.clip(x, -0.5) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Clip: full Jacobian, upper bound only, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: xs.slice(6) }], f: (x) => b.clip(x, undefined, 0.5) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Clip: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4], data: xs }], f: (x) => b.clip(x, -0.5, 0.5) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
