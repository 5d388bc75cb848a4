// y = cast(x, to)
// dx = cast(dy, dtype(x)) between float types; integer and bool inputs get none

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const Cast: Rule<'Cast'> = (node, dy) => {
  const x = input(node, 0);
  if (!b.isFloat(x.dtype) || !b.isFloat(output(node).dtype)) return [undefined];
  return [x.dtype === output(node).dtype ? outGrad(dy) : b.cast(outGrad(dy), x.dtype)];
};
