import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

test('Concat: full Jacobian, three inputs of different sizes on axis 1, float64', async (t) => {
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [2, 1] }, { shape: [2, 3] }, { shape: [2, 2] }],
    f: (x, y, z) => b.concat([x, y, z], 1),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Concat: directional check, negative axis and one input used twice, float64', async (t) => {
  const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 3, 2] }, { shape: [2, 3, 4] }], f: (x, y) => b.concat([x, y, x], -1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Concat: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [1, 4] }, { shape: [3, 4] }], f: (x, y) => b.concat([x, y], 0) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Concat: symbolic sizes on the concatenated axis (two views [N, D] and [M, D]) at two batch sizes', async () => {
  // loss = sum(concat(x, y)^2 * w): d x = 2 x * w, d y = 2 y * w, with offsets read at run time.
  const run = await gradFunction([{ shape: ['N', 2] }, { shape: ['M', 2] }], (x, y) => {
    const z = b.concat([x, y], 0);
    return b.mul(b.mul(z, z), x.graph.constant(b.fromNumbers('float64', [1, 3]), 'float64', [2]));
  });
  for (const [n, m] of [[2, 3], [4, 1]] as const) {
    const x = Array.from({ length: 2 * n }, (_, i) => i + 1);
    const y = Array.from({ length: 2 * m }, (_, i) => -(i + 1) / 2);
    const { grads } = await run([{ dims: [n, 2], data: x }, { dims: [m, 2], data: y }]);
    assertClose(grads[0]!, x.map((v, i) => 2 * v * (i % 2 ? 3 : 1)), 1e-12, `dx (N=${n})`);
    assertClose(grads[1]!, y.map((v, i) => 2 * v * (i % 2 ? 3 : 1)), 1e-12, `dy (M=${m})`);
  }
});
