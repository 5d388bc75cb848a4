// z = cond ? a : b
// da = dz * cond, db = dz * !cond; the condition gets none (broadcasting undone by the driver)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Where: Rule<'Where'> = (node, dz) => {
  const cond = input(node, 0);
  return [undefined, b.where(cond, outGrad(dz), 0), b.where(cond, 0, outGrad(dz))];
};
