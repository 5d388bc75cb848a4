// Matrix products.

import type { Value } from '../graph.ts';
import { type Dim, ShapeError, broadcastShapes, formatShape } from '../shape.ts';
import { emit } from './common.ts';

function checkInner(a: Dim, b: Dim, what: string): void {
  if (a !== b) throw new ShapeError(`${what}: inner dimensions ${a} and ${b} differ`);
}

/** Numpy matmul: [..., M, K] x [..., K, N] -> [..., M, N] (rank >= 2 on both sides). */
export function matmul(a: Value, b: Value): Value {
  return emit(a.graph, 'MatMul', [a, b], {}, () => {
    if (a.rank < 2 || b.rank < 2) throw new ShapeError(`operands must have rank >= 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
    checkInner(a.shape[a.rank - 1]!, b.shape[b.rank - 2]!, 'MatMul');
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return { dtype: a.dtype, shape: [...batch, a.shape[a.rank - 2]!, b.shape[b.rank - 1]!] };
  });
}

export interface GemmOptions {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** alpha * op(A) op(B) + beta * C, A and B of rank 2, C broadcast to [M, N]. */
export function gemm(a: Value, b: Value, c: Value | undefined, options: GemmOptions = {}): Value {
  const attrs = {
    alpha: options.alpha ?? 1,
    beta: options.beta ?? 1,
    transA: options.transA ? 1 : 0,
    transB: options.transB ? 1 : 0,
  } as const;
  return emit(a.graph, 'Gemm', [a, b, c], attrs, () => {
    if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`A and B must be rank 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
    const [m, ka] = attrs.transA ? [a.shape[1]!, a.shape[0]!] : [a.shape[0]!, a.shape[1]!];
    const [kb, n] = attrs.transB ? [b.shape[1]!, b.shape[0]!] : [b.shape[0]!, b.shape[1]!];
    checkInner(ka, kb, 'Gemm');
    if (c) broadcastShapes(c.shape, [m, n]);
    return { dtype: a.dtype, shape: [m, n] };
  });
}
