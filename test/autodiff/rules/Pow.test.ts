import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// Bases in [0.5, 1.5]: positive, so fractional and negative exponents stay real and finite.
const bases = (n: number): number[] => Array.from({ length: n }, (_, i) => 0.5 + ((i * 7) % n) / n);

for (const p of [2, 3, 0.5, -1.5]) {
  test(`Pow: directional check, constant exponent ${p}, float64`, async (t) => {
    const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [3, 4], data: bases(12) }], f: (x) => b.pow(x, p) });
    t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
  });
}

test('Pow: full Jacobian, constant exponent, float32', async (t) => {
  const r = await checkJacobian({ inputs: [{ shape: [2, 3], data: bases(6) }], f: (x) => b.pow(x, 2.5) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Pow: directional check, fed exponent differentiated too (dp = dz * z * ln x), broadcast, float64', async (t) => {
  const r = await checkVjp({
    dtype: 'float64',
    inputs: [{ shape: [2, 3], data: bases(6) }, { shape: [3], data: [1.5, -0.5, 2] }],
    f: (x, p) => b.pow(x, p),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Pow: fed exponent held constant, float64', async (t) => {
  const r = await checkVjp({
    dtype: 'float64',
    inputs: [{ shape: [2, 3], data: bases(6) }, { shape: [], data: [1.7], constant: true }],
    f: (x, p) => b.pow(x, p),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
