// y = max(0, min(1, alpha * x + beta))
// dx = dy * alpha where 0 < y < 1, else 0
// alpha is a float attribute: the forward uses its float32 value, so the rule does too.

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const HardSigmoid: Rule<'HardSigmoid'> = (node, dy) => {
  const y = output(node);
  const inside = b.and(b.greater(y, 0), b.less(y, 1));
  return [b.where(inside, b.mul(outGrad(dy), Math.fround(node.attrs.alpha)), 0)];
};
