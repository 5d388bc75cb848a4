// y = log_softmax(x, axis) = x - log(sum_axis(exp(x)))
// dx = dy - softmax(x) * sum_axis(dy), with softmax(x) = exp(y)

import * as b from '../../onnx/index.ts';
import { type Rule, output, outGrad } from '../rule.ts';

export const LogSoftmax: Rule<'LogSoftmax'> = (node, dys) => {
  const y = output(node);
  const dy = outGrad(dys);
  return [b.sub(dy, b.mul(b.exp(y), b.reduceSum(dy, [node.attrs.axis], true)))];
};
