// Y = alpha * op(A) @ op(B) + beta * C, op = transpose when transA / transB, C broadcast to [M, N]
// transA=0, transB=0: dA = alpha dY B^T,   dB = alpha A^T dY
// transA=0, transB=1: dA = alpha dY B,     dB = alpha dY^T A
// transA=1, transB=0: dA = alpha B dY^T,   dB = alpha A dY
// transA=1, transB=1: dA = alpha B^T dY^T, dB = alpha dY^T A^T
// dC = beta dY (summed to C's shape by the driver)
// alpha and beta are float attributes: the forward uses their float32 values, so the rule does too.

import * as b from '../../onnx/index.ts';
import type { Value } from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

/** alpha * op(p) @ op(q) as one Gemm. */
function product(p: Value, q: Value, transP: boolean, transQ: boolean, alpha: number): Value {
  return b.gemm(p, q, undefined, { transA: transP, transB: transQ, alpha });
}

export const Gemm: Rule<'Gemm'> = (node, dYs) => {
  const a = input(node, 0);
  const bm = input(node, 1);
  const c = node.inputs[2];
  const dY = outGrad(dYs);
  const { alpha, beta, transA, transB } = node.attrs;
  const dA = transA ? product(bm, dY, transB === 1, true, alpha) : product(dY, bm, false, transB === 0, alpha);
  const dB = transB ? product(dY, a, true, transA === 1, alpha) : product(a, dY, transA === 0, false, alpha);
  const dC = c === undefined ? undefined : beta === 1 ? dY : b.mul(dY, Math.fround(beta));
  return [dA, dB, dC];
};
