// Y = A @ B, A [..., M, K], B [..., K, N] (batch dims broadcast)
// dA = dY @ B^T, dB = A^T @ dY (^T swaps the last two axes; broadcast batch dims are summed by the driver)
// When B is a rank-2 weight under a batched A, dB is one Gemm over the flattened batch:
// dB = reshape(A, [-1, K])^T @ reshape(dY, [-1, N]), with no [batch, K, N] intermediate.

import * as b from '../../onnx/index.ts';
import type { Value } from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

/** Swaps the last two axes. */
function swapLast(v: Value): Value {
  const perm = v.shape.map((_, i) => i);
  perm[v.rank - 2] = v.rank - 1;
  perm[v.rank - 1] = v.rank - 2;
  return b.transpose(v, perm);
}

export const MatMul: Rule<'MatMul'> = (node, dYs) => {
  const a = input(node, 0);
  const bm = input(node, 1);
  const dY = outGrad(dYs);
  const dA = b.matmul(dY, swapLast(bm));
  const k = a.shape[a.rank - 1];
  const n = bm.shape[1];
  if (bm.rank === 2 && a.rank > 2 && typeof k === 'number' && typeof n === 'number') {
    return [dA, b.gemm(b.reshape(a, [-1, k]), b.reshape(dY, [-1, n]), undefined, { transA: true })];
  }
  return [dA, b.matmul(swapLast(a), dY)];
};
