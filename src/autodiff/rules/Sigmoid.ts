// y = 1 / (1 + exp(-x))
// dx = dy * y * (1 - y)

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const Sigmoid: Rule<'Sigmoid'> = (node, dy) => {
  const y = output(node);
  return [b.mul(outGrad(dy), b.mul(y, b.sub(1, y)))];
};
