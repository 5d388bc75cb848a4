// y = min(max(x, lo), hi)
// dx = dy * (lo <= x <= hi), computed as dy where clip(x) == x; the bounds get none

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const Clip: Rule<'Clip'> = (node, dy) => {
  const inside = b.equal(input(node, 0), output(node));
  return [b.where(inside, outGrad(dy), 0), undefined, undefined];
};
