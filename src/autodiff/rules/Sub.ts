// z = x - y
// dx = dz, dy = -dz (broadcasting undone by the driver)

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad } from '../rule.ts';

export const Sub: Rule<'Sub'> = (_node, dz) => [outGrad(dz), b.neg(outGrad(dz))];
