// y = reshape(x, shape)
// dx = reshape(dy, shape(x)); the target shape gets none

import { reshapeAs } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Reshape: Rule<'Reshape'> = (node, dy) => [reshapeAs(outGrad(dy), input(node, 0)), undefined];
