// y = sqrt(sum_{axes} x^2)
// dx = x * dy / y (reduced axes kept as 1), taken as 0 where y == 0 (PyTorch's subgradient of the norm)

import * as b from '../../onnx/index.ts';
import { keptDims, reduceAxes } from '../reduce_grad.ts';
import { type Rule, input, output, outGrad } from '../rule.ts';

export const ReduceL2: Rule<'ReduceL2'> = (node, dy) => {
  const x = input(node, 0);
  const axes = reduceAxes(node);
  const y = output(node);
  const scale = b.where(b.equal(y, 0), 0, b.div(outGrad(dy), y));
  return [b.mul(x, keptDims(scale, node, axes))];
};
