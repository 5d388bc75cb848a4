// y = ln(x)
// dx = dy / x

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Log: Rule<'Log'> = (node, dy) => [b.div(outGrad(dy), input(node, 0))];
