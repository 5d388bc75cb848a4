// ReduceL2: dx = x * dy / y; a zero norm gives a zero gradient (not NaN).

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

for (const keepdims of [false, true]) {
  for (const axes of [[1], [0, 2], [-1], []]) {
    test(`ReduceL2: full Jacobian, axes [${axes}], keepdims ${Number(keepdims)}, float64`, async (t) => {
      const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 4] }], f: (x) => b.reduceL2(x!, axes, keepdims) });
      t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
    });
  }
}

test('ReduceL2: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [8, 16] }], f: (x) => b.reduceL2(x!, [1], true) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('ReduceL2: a zero row has a zero gradient', async () => {
  const run = await gradFunction([{ shape: [2, 2] }], (x) => b.reduceL2(x, [1]));
  const { grads } = await run([{ dims: [2, 2], data: [0, 0, 3, 4] }]);
  assertClose(grads[0]!, [0, 0, 0.6, 0.8]);
});
