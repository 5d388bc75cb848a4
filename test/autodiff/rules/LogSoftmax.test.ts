import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('LogSoftmax: full Jacobian on a middle axis, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3, 4] }], f: (x) => b.logSoftmax(x!, 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('LogSoftmax: full Jacobian on the last axis, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3, 5] }], f: (x) => b.logSoftmax(x!, -1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('LogSoftmax: directional check, [8, 10] logits of scale 4, float64', async (t) => {
  const data = Array.from({ length: 8 * 10 }, (_, i) => 4 * Math.sin(i * 1.7));
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [8, 10], data }], f: (x) => b.logSoftmax(x!, 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

// float32 central differences of values ~ -3 carry ~1e-4 noise per element, so a small shape.
test('LogSoftmax: directional check, [3, 5], float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 5] }], f: (x) => b.logSoftmax(x!, 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
