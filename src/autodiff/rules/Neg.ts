// y = -x
// dx = -dy

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad } from '../rule.ts';

export const Neg: Rule<'Neg'> = (_node, dy) => [b.neg(outGrad(dy))];
