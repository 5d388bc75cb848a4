import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Unsqueeze: directional check, negative and positive axes, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4] }], f: (x) => b.unsqueeze(x, [0, -1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Unsqueeze: full Jacobian, then broadcast against a [2, 1, 3] operand, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3] }, { shape: [2, 1, 3] }], f: (x, y) => b.mul(b.unsqueeze(x, [0]), y) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
