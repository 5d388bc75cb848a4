import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

// alpha 0.2, beta 0.5 saturates below -2.5 and above 2.5: inputs at least 0.2 away, on both sides.
const xs = [-4, -3, -2.2, -1.5, -0.5, 0, 0.4, 1.1, 2, 2.3, 2.8, 3.5];

test('HardSigmoid: directional check, ONNX defaults, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4], data: xs }], f: (x) => b.hardSigmoid(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test("HardSigmoid: full Jacobian, PyTorch's alpha 1/6, float64", async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3], data: [-4, -2.5, -0.5, 0.7, 2.5, 3.6] }], f: (x) => b.hardSigmoid(x, 1 / 6, 0.5) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('HardSigmoid: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4], data: xs }], f: (x) => b.hardSigmoid(x) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('HardSigmoid: values and gradient as the formula says', async () => {
  const run = await gradFunction([{ shape: [4] }], (x) => b.hardSigmoid(x, 0.25, 0.5));
  const { loss, grads } = await run([{ dims: [4], data: [-3, -1, 1, 3] }]);
  assert.deepEqual(loss, [0 + 0.25 + 0.75 + 1]);
  assert.deepEqual(grads, [[0, 0.25, 0.25, 0]]);
});
