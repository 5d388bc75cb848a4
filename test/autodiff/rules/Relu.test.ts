import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// Inputs kept 0.2 away from the kink at 0.
const awayFromZero = Array.from({ length: 12 }, (_, i) => (i % 2 ? 1 : -1) * (0.2 + 0.07 * i));

test('Relu: directional check', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4], data: awayFromZero }], f: (x) => b.relu(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Relu: full Jacobian in float64', async () => {
  await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: awayFromZero.slice(0, 6) }], f: (x) => b.relu(x) });
});
