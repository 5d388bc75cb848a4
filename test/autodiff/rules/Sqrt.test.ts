import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// Inputs in [0.3, 1.5], away from the singularity at 0.
const positive = (n: number): number[] => Array.from({ length: n }, (_, i) => 0.3 + (1.2 * ((i * 7) % n)) / n);

test('Sqrt: directional check, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4], data: positive(12) }], f: (x) => b.sqrt(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Sqrt: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: positive(6) }], f: (x) => b.sqrt(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Sqrt: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4], data: positive(12) }], f: (x) => b.sqrt(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
