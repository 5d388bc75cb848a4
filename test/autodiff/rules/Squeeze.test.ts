import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Squeeze: directional check, negative and positive axes, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [1, 3, 1, 4] }], f: (x) => b.squeeze(x, [0, -2]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Squeeze: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 1, 3] }], f: (x) => b.mul(b.squeeze(x, [1]), x.graph.scalar(-1.5, 'float64')) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
