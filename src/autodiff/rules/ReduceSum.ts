// y = sum_{axes} x
// dx = expand(dy with the reduced axes kept as 1, shape(x))

import * as b from '../../onnx/index.ts';
import { staticInts } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const ReduceSum: Rule<'ReduceSum'> = (node, dy) => {
  const x = input(node, 0);
  const axes = staticInts(node.inputs[1], 'ReduceSum axes');
  const kept = node.attrs.keepdims ? outGrad(dy) : b.unsqueeze(outGrad(dy), axes);
  return [b.isStatic(x.shape) ? b.expand(kept, x.shape) : b.expandLike(kept, x)];
};
