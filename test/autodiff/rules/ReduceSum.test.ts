import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

for (const keepdims of [true, false]) {
  test(`ReduceSum: full Jacobian over axes [0, 2], keepdims ${keepdims}, float64`, async (t) => {
    const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 2] }], f: (x) => b.reduceSum(x, [0, 2], keepdims) });
    t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
  });
}

test('ReduceSum: full Jacobian over a negative axis, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3, 2] }], f: (x) => b.reduceSum(x, [-1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('ReduceSum: directional check over all axes, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [2, 3, 4] }], f: (x) => b.reduceSum(x, []) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
