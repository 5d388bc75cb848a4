// y = mean_{axes} x
// dx = expand(dy with the reduced axes kept as 1, shape(x)) / prod(reduced dims)

import * as b from '../../onnx/index.ts';
import { reduceAxes, unreduce } from '../reduce_grad.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const ReduceMean: Rule<'ReduceMean'> = (node, dy) => {
  const x = input(node, 0);
  const axes = reduceAxes(node);
  const count = axes.reduce((p, a) => {
    const d = x.shape[a];
    if (typeof d !== 'number') throw new Error(`ReduceMean gradient needs static reduced dims, got ${b.formatShape(x.shape)}`);
    return p * d;
  }, 1);
  return [unreduce(b.div(outGrad(dy), count), node, x)];
};
