import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

// M = 2, K = 3, N = 4; A is [M, K] or [K, M], B is [K, N] or [N, K].
for (const transA of [false, true]) {
  for (const transB of [false, true]) {
    const a = transA ? [3, 2] : [2, 3];
    const bShape = transB ? [4, 3] : [3, 4];
    for (const c of [[4], [2, 1]]) {
      test(`Gemm: full Jacobian, transA ${Number(transA)}, transB ${Number(transB)}, C [${c}], alpha 0.7, beta 1.3, float64`, async (t) => {
        const r = await checkJacobian({
          dtype: 'float64',
          inputs: [{ shape: a }, { shape: bShape }, { shape: c }],
          f: (x, y, z) => b.gemm(x!, y!, z, { transA, transB, alpha: 0.7, beta: 1.3 }),
        });
        t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
      });
    }
  }
}

test('Gemm: full Jacobian without C, transB 1 (a linear layer), float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3, 4] }, { shape: [2, 4] }], f: (x, w) => b.gemm(x!, w!, undefined, { transB: true }) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Gemm: directional check, [16, 32] x [32, 8]^T + C [8], float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [16, 32] }, { shape: [8, 32] }, { shape: [8] }], f: (x, w, c) => b.gemm(x!, w!, c, { transB: true }) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
