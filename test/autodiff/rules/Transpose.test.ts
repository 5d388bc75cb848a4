import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Transpose: full Jacobian of a rank-3 cyclic permutation, float64', async (t) => {
  // perm [2, 0, 1] is its own non-inverse: a rule that reused perm instead of its inverse fails here.
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 2] }], f: (x) => b.transpose(x, [2, 0, 1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Transpose: directional check, rank 4 NCHW -> NHWC, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 3, 4, 5] }], f: (x) => b.transpose(x, [0, 2, 3, 1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Transpose: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }], f: (x) => b.transpose(x, [1, 0]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
