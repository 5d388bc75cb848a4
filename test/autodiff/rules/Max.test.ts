import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

// x in +-[0.3, 0.9]; y in {0, -2, 2}: every pair is at least 0.3 apart and each operand wins somewhere.
const xs = Array.from({ length: 24 }, (_, i) => (i % 2 ? 1 : -1) * (0.3 + (0.6 * ((i * 5) % 24)) / 24));

test('Max: directional check with broadcasting, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 3, 4], data: xs }, { shape: [3, 1], data: [0, -2, 2] }], f: (x, y) => b.max(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Max: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: xs.slice(0, 6) }, { shape: [3], data: [0, -2, 2] }], f: (x, y) => b.max(x, y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Max: at ties the first operand takes the whole gradient', async () => {
  const run = await gradFunction([{ shape: [3] }, { shape: [3] }], (x, y) => b.max(x, y));
  const { grads } = await run([{ dims: [3], data: [1, 2, 5] }, { dims: [3], data: [1, 3, 4] }]);
  assert.deepEqual(grads, [[1, 0, 1], [0, 1, 0]]);
});
