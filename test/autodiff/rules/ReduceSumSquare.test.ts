// ReduceSumSquare: dx = 2 x dy, broadcast over the reduced axes.

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

for (const keepdims of [false, true]) {
  for (const axes of [[1], [0, 2], []]) {
    test(`ReduceSumSquare: full Jacobian, axes [${axes}], keepdims ${Number(keepdims)}, float64`, async (t) => {
      const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 4] }], f: (x) => b.reduceSumSquare(x!, axes, keepdims) });
      t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
    });
  }
}

test('ReduceSumSquare: directional check over [N, H, W] of [N, C, H, W], float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [4, 3, 5, 5] }], f: (x) => b.reduceSumSquare(x!, [0, 2, 3], true) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
