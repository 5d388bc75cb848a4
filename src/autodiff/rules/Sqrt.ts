// y = sqrt(x)
// dx = dy / (2 y)

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const Sqrt: Rule<'Sqrt'> = (node, dy) => [b.div(b.mul(outGrad(dy), 0.5), output(node))];
