import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

for (const keepdims of [false, true]) {
  for (const axes of [[1], [0, 2], [-1], []]) {
    test(`ReduceMean: full Jacobian, axes [${axes}], keepdims ${Number(keepdims)}, float64`, async (t) => {
      const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 4] }], f: (x) => b.reduceMean(x!, axes, keepdims) });
      t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
    });
  }
}

test('ReduceMean: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [4, 6, 5] }], f: (x) => b.reduceMean(x!, [0, 2], true) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('ReduceMean: symbolic batch axis kept, feature axis reduced', async () => {
  const run = await gradFunction([{ shape: ['N', 4] }], (x) => b.reduceMean(x, [1]));
  const { grads } = await run([{ dims: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] }]);
  assertClose(grads[0]!, new Array<number>(8).fill(0.25));
});
