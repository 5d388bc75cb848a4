// y = 1 / x
// dx = -dy / x^2 = -dy * y * y

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const Reciprocal: Rule<'Reciprocal'> = (node, dy) => {
  const y = output(node);
  return [b.neg(b.mul(outGrad(dy), b.mul(y, y)))];
};
