// z = x * y
// dx = dz * y, dy = dz * x (broadcasting undone by the driver)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Mul: Rule<'Mul'> = (node, dz) => [b.mul(outGrad(dz), input(node, 1)), b.mul(outGrad(dz), input(node, 0))];
