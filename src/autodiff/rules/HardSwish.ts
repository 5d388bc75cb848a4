// y = x * max(0, min(1, x / 6 + 1 / 2))
// dx = dy * (0 for x < -3, 1 for x > 3, x / 3 + 1 / 2 between)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const HardSwish: Rule<'HardSwish'> = (node, dy) => {
  const x = input(node, 0);
  const slope = b.where(b.less(x, -3), 0, b.where(b.greater(x, 3), 1, b.add(b.div(x, 3), 0.5)));
  return [b.mul(outGrad(dy), slope)];
};
