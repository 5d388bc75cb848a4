import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// Divisors kept 0.5 away from 0.
const divisors = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (0.5 + (0.9 * i) / n));

test('Div: directional check with broadcasting on both sides, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 1, 4] }, { shape: [3, 1], data: divisors(3) }], f: (x, y) => b.div(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Div: full Jacobian, numerator broadcast, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3] }, { shape: [2, 3], data: divisors(6) }], f: (x, y) => b.div(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Div: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }, { shape: [4], data: divisors(4) }], f: (x, y) => b.div(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
