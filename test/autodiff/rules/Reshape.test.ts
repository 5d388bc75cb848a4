import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// A scale by a fixed ramp after the reshape, so each output position has its own weight.
const ramp = (g: b.Graph, n: number, shape: number[]): b.Value => g.constant(b.fromNumbers('float64', Array.from({ length: n }, (_, i) => 1 + i / n)), 'float64', shape);

test('Reshape: directional check with 0 (copy) and -1 (infer), float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 3, 4] }], f: (x) => b.mul(b.reshape(x, [0, -1]), ramp(x.graph, 12, [12])) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Reshape: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3] }], f: (x) => b.mul(b.reshape(x, [3, 2]), ramp(x.graph, 6, [3, 2])) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Reshape: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [6, 2] }], f: (x) => b.reshape(x, [3, 4]) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
