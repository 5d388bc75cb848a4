import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Cast: float32 -> float64 gives the gradient back as float32 (directional check)', async (t) => {
  // y = cast(x)^2 in float64: the gradient must come back to x's dtype through a Cast.
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }], f: (x) => { const y = b.cast(x, 'float64'); return b.mul(y, y); } });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Cast: float64 -> float32 -> float64 round trip (directional check, float32 tolerance)', async (t) => {
  const r = await checkVjp({ dtype: 'float64', eps: 1e-3, rtol: 2e-3, atol: 2e-3, inputs: [{ shape: [3, 4] }], f: (x) => b.cast(b.mul(b.cast(x, 'float32'), 3), 'float64') });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Cast: an integer cast passes no gradient (full Jacobian of x * float(int(x)), float64)', async (t) => {
  // d/dx [x * trunc(x)] = trunc(x) away from integers: the int64 path is constant.
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [2, 3], data: [1.3, -2.4, 0.6, 2.7, -1.5, 3.2] }],
    f: (x) => b.mul(x, b.cast(b.cast(x, 'int64'), 'float64')),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
