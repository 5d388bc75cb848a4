// y = max(x, 0)
// dx = dy * (x > 0)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Relu: Rule<'Relu'> = (node, dy) => {
  const x = input(node, 0);
  return [b.where(b.greater(x, 0), outGrad(dy), 0)];
};
