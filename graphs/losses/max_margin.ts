// The pairwise max-margin contrastive loss (Hadsell, Chopra, LeCun 2006) of the seed blog, margin 1:
//   same class:      d_ij^2
//   different class: max(0, m - d_ij)^2
// averaged over ALL unordered pairs {i, j}, i != j, of the M rows of z (M(M-1)/2 pairs; the two views
// of one image form a same-class pair). Unlike Hadsell's paper there is no factor 1/2.

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { offDiagonalMask, sameLabelMask, staticDim } from './masks.ts';

export interface MaxMarginOptions {
  /** m (default 1, with embeddings on the unit sphere distances lie in [0, 2]). */
  margin?: number;
}

/** z [M, D] embeddings, labels int64 [M] (one per row) -> scalar loss. */
export function maxMarginLoss(z: Value, labels: Value, o: MaxMarginOptions = {}): Value {
  const m = staticDim(z, 0, 'maxMarginLoss');
  if (m < 2) throw new Error('maxMarginLoss: needs at least two embeddings');
  const margin = o.margin ?? 1;

  // d_ij^2 = |z_i|^2 + |z_j|^2 - 2 z_i.z_j, clamped at 0 against rounding ([M, M]).
  const sq = b.reduceSum(b.mul(z, z), [1], true); // [M, 1]
  const gram = b.matmul(z, b.transpose(z, [1, 0])); // [M, M]
  const d2raw = b.sub(b.add(sq, b.transpose(sq, [1, 0])), b.mul(gram, 2));
  const d2 = b.max(d2raw, 0);
  // sqrt at a floor of 1e-12 keeps the gradient finite on the (masked) diagonal and for equal embeddings.
  const d = b.sqrt(b.max(d2raw, 1e-12));
  const hinge = b.relu(b.sub(margin, d));

  const same = sameLabelMask(labels, labels, z.dtype); // [M, M]
  const pairLoss = b.add(b.mul(same, d2), b.mul(b.sub(1, same), b.mul(hinge, hinge)));
  const offDiagonal = offDiagonalMask(z.graph, m, m, z.dtype);
  // Each unordered pair appears twice in the off-diagonal sum.
  return b.div(b.reduceSum(b.mul(pairLoss, offDiagonal), []), m * (m - 1));
}
