// y = softmax(x, axis)
// dx = y * (dy - sum_axis(dy * y))

import * as b from '../../onnx/index.ts';
import { type Rule, output, outGrad } from '../rule.ts';

export const Softmax: Rule<'Softmax'> = (node, dys) => {
  const y = output(node);
  const dy = outGrad(dys);
  const inner = b.reduceSum(b.mul(dy, y), [node.attrs.axis], true);
  return [b.mul(y, b.sub(dy, inner))];
};
