import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

// The kinks are at -3 and 3: inputs at least 0.2 away, on both sides of each and around 0.
const xs = [-5, -3.4, -2.7, -1.5, -0.6, 0, 0.3, 1.2, 2.1, 2.75, 3.3, 4.5];

test('HardSwish: directional check, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4], data: xs }], f: (x) => b.hardSwish(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('HardSwish: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: [-4, -2.5, -0.5, 0.7, 2.6, 3.6] }], f: (x) => b.hardSwish(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('HardSwish: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4], data: xs }], f: (x) => b.hardSwish(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('HardSwish: values and gradient as the formula says', async () => {
  const run = await gradFunction([{ shape: [4] }], (x) => b.hardSwish(x));
  const { loss, grads } = await run([{ dims: [4], data: [-4, -1.5, 1.5, 4] }]);
  // ORT's float64 HardSwish scales by a float32 1/6: exact to ~1e-8, not to the last bit.
  assert.ok(Math.abs(loss[0]! - (0 + -1.5 * 0.25 + 1.5 * 0.75 + 4)) < 1e-7, `${loss[0]}`);
  assert.deepEqual(grads, [[0, 0, 1, 1]]);
});
