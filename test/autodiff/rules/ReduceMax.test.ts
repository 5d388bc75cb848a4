// ReduceMax: the gradient goes to the maximum; ties split it evenly. The Jacobian checks use a
// permutation of well-separated values, so there are no ties.

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

const distinct = Array.from({ length: 24 }, (_, i) => ((i * 7) % 24) * 0.1 - 1.2);

for (const keepdims of [false, true]) {
  for (const axes of [[1], [0, 2], [-1], []]) {
    test(`ReduceMax: full Jacobian, axes [${axes}], keepdims ${Number(keepdims)}, float64`, async (t) => {
      const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 4], data: distinct }], f: (x) => b.reduceMax(x!, axes, keepdims) });
      t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
    });
  }
}

test('ReduceMax: directional check, float32', async (t) => {
  const data = Array.from({ length: 60 }, (_, i) => ((i * 13) % 60) * 0.03 - 0.9);
  const r = await checkVjp({ inputs: [{ shape: [3, 4, 5], data }], f: (x) => b.reduceMax(x!, [1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('ReduceMax: ties split the gradient evenly', async () => {
  const run = await gradFunction([{ shape: [2, 4] }], (x) => b.reduceMax(x, [1]));
  const { grads } = await run([{ dims: [2, 4], data: [3, 1, 3, 3, 0, 5, -1, 2] }]);
  assertClose(grads[0]!, [1 / 3, 0, 1 / 3, 1 / 3, 0, 1, 0, 0]);
});
