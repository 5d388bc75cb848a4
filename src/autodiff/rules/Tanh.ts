// y = tanh(x)
// dx = dy * (1 - y^2)

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const Tanh: Rule<'Tanh'> = (node, dy) => {
  const y = output(node);
  return [b.mul(outGrad(dy), b.sub(1, b.mul(y, y)))];
};
