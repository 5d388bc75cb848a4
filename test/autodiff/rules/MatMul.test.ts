import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

const cases: [string, number[], number[]][] = [
  ['rank 2', [3, 4], [4, 2]],
  ['broadcast batch dims [2, 1] x [3]', [2, 1, 3, 4], [3, 4, 2]],
  ['batched A, rank-2 B (one Gemm for dB)', [2, 3, 4], [4, 5]],
  ['rank-2 A, batched B', [3, 4], [2, 4, 2]],
];

for (const [what, a, bShape] of cases) {
  test(`MatMul: full Jacobian, ${what}, float64`, async (t) => {
    const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: a }, { shape: bShape }], f: (x, y) => b.matmul(x!, y!) });
    t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
  });
}

test('MatMul: directional check, [4, 1, 8, 16] x [3, 16, 8], float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [4, 1, 8, 16] }, { shape: [3, 16, 8] }], f: (x, y) => b.matmul(x!, y!) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
