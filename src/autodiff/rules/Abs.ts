// y = |x|
// dx = dy * sign(x) (0 at x == 0, the subgradient PyTorch picks)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Abs: Rule<'Abs'> = (node, dy) => [b.mul(outGrad(dy), b.sign(input(node, 0)))];
