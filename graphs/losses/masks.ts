// Label masks that the contrastive losses build inside the graph from int64 labels.

import * as b from '../../src/onnx/index.ts';
import type { DType, Value } from '../../src/onnx/index.ts';

/** labels [N] -> [V * N]: the labels of V views stacked view-major (view 0 of every sample first). */
export function repeatLabels(labels: Value, views: number): Value {
  return views === 1 ? labels : b.concat(Array.from({ length: views }, () => labels), 0);
}

/** rows [A], cols [M] int64 -> [A, M] of `dtype`: 1 where the labels are equal, else 0. */
export function sameLabelMask(rows: Value, cols: Value, dtype: DType): Value {
  return b.cast(b.equal(b.unsqueeze(rows, [1]), b.unsqueeze(cols, [0])), dtype);
}

/** Constant [A, M]: 1 everywhere except (i, i), i < min(A, M), which is 0 (an anchor is not its own contrast). */
export function offDiagonalMask(g: b.Graph, rows: number, cols: number, dtype: DType): Value {
  const data = Array.from({ length: rows * cols }, (_, k) => (Math.floor(k / cols) === k % cols ? 0 : 1));
  return g.constant(b.fromNumbers(dtype, data), dtype, [rows, cols]);
}

/** Constant int64 [n]: 0, 1, ..., n - 1 (SimCLR's labels: every sample its own class). */
export function rangeLabels(g: b.Graph, n: number): Value {
  return g.constant(b.fromNumbers('int64', Array.from({ length: n }, (_, i) => i)), 'int64', [n]);
}

/** The static size of dimension `axis` of x. */
export function staticDim(x: Value, axis: number, what: string): number {
  const d = x.shape[axis];
  if (typeof d !== 'number') throw new Error(`${what}: dimension ${axis} of ${b.formatShape(x.shape)} must be static`);
  return d;
}
