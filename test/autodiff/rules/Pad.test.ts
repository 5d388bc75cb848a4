import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Pad: full Jacobian, different pads on each side, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3] }], f: (x) => b.pad(x, [1, 0, 2, 1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Pad: full Jacobian, a negative pad crops, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 4] }], f: (x) => b.pad(x, [0, -1, 1, 2]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Pad: directional check, NCHW spatial padding, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 3, 4, 4] }], f: (x) => b.pad(x, [0, 0, 1, 2, 0, 0, 2, 1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Pad: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }], f: (x) => b.pad(x, [1, 1, 1, 1]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
