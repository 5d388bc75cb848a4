import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// Inputs in +-[0.2, 1.1], away from 0.
const awayFromZero = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? 1 : -1) * (0.2 + (0.9 * ((i * 5) % n)) / n));

test('Abs: directional check, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4], data: awayFromZero(12) }], f: (x) => b.abs(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Abs: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: awayFromZero(6) }], f: (x) => b.abs(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Abs: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4], data: awayFromZero(12) }], f: (x) => b.abs(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
