// z = x / y
// dx = dz / y, dy = -dz * x / y^2 = -dx * z (broadcasting undone by the driver)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const Div: Rule<'Div'> = (node, dz) => {
  const dx = b.div(outGrad(dz), input(node, 1));
  return [dx, b.neg(b.mul(dx, output(node)))];
};
