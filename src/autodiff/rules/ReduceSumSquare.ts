// y = sum_{axes} x^2
// dx = 2 * x * expand(dy with the reduced axes kept as 1, shape(x))

import * as b from '../../onnx/index.ts';
import { unreduce } from '../reduce_grad.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const ReduceSumSquare: Rule<'ReduceSumSquare'> = (node, dy) => {
  const x = input(node, 0);
  return [b.mul(b.mul(x, 2), unreduce(outGrad(dy), node, x))];
};
