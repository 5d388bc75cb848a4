import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Expand: full Jacobian, new leading axis and a size-1 axis broadcast, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3, 1] }], f: (x) => b.expand(x, [2, 3, 2]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Expand: directional check, expandLike to a run-time shape, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [4] }, { shape: [2, 3, 4], constant: true }], f: (x, like) => b.expandLike(x, like) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Expand: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [1, 4] }], f: (x) => b.expand(x, [5, 4]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
