// y = exp(x)
// dx = dy * y

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const Exp: Rule<'Exp'> = (node, dy) => [b.mul(outGrad(dy), output(node))];
