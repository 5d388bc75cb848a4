// z = x ^ p
// dx = dz * p * x^(p-1)
// dp = dz * z * ln(x), 0 where x == 0 (PyTorch's convention); emitted only for a computed or fed
// exponent, since a constant one is never differentiated (the driver drops what it does not need)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const Pow: Rule<'Pow'> = (node, dz) => {
  const x = input(node, 0);
  const p = input(node, 1);
  const g = x.graph;
  // A scalar constant exponent gives p - 1 as a constant too (x^2 -> 2 * x^1).
  const constant = g.constants.get(p);
  const pMinus1 = constant && p.rank === 0 ? g.scalar(Number(constant.data[0]) - 1, x.dtype) : b.sub(p, 1);
  const dx = b.mul(outGrad(dz), b.mul(p, b.pow(x, pMinus1)));
  if (constant) return [dx, undefined];
  const dp = b.where(b.equal(x, 0), 0, b.mul(outGrad(dz), b.mul(output(node), b.log(x))));
  return [dx, dp];
};
