// y = transpose(x, perm): shape(y)[i] = shape(x)[perm[i]]
// dx = transpose(dy, inverse(perm)), inverse[perm[i]] = i

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Transpose: Rule<'Transpose'> = (node, dy) => {
  const rank = input(node, 0).rank;
  // ONNX's default (no perm) reverses the axes.
  const perm = node.attrs.perm.length > 0 ? node.attrs.perm : Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => { inverse[p] = i; });
  return [b.transpose(outGrad(dy), inverse)];
};
