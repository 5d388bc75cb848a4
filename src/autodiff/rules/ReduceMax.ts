// y = max_{axes} x
// dx = dy * (x == y) / count(x == y), all with the reduced axes kept as 1
// Ties split the gradient evenly among the maxima (as TensorFlow and PyTorch's amax do), so the
// gradient still sums to dy; a single tie-free maximum gets all of it.

import * as b from '../../onnx/index.ts';
import { keptDims, reduceAxes } from '../reduce_grad.ts';
import { type Rule, input, output, outGrad } from '../rule.ts';

export const ReduceMax: Rule<'ReduceMax'> = (node, dy) => {
  const x = input(node, 0);
  const axes = reduceAxes(node);
  const y = keptDims(output(node), node, axes);
  const isMax = b.cast(b.equal(x, y), x.dtype);
  const count = b.reduceSum(isMax, axes, true);
  return [b.mul(isMax, b.div(keptDims(outGrad(dy), node, axes), count))];
};
