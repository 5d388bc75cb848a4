// y = flatten(x, axis): [d0 * ... * d(axis-1), d(axis) * ... * d(r-1)]
// dx = reshape(dy, shape(x))

import { reshapeAs } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Flatten: Rule<'Flatten'> = (node, dy) => [reshapeAs(outGrad(dy), input(node, 0))];
