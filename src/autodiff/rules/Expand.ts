// y = expand(x, shape) (numpy broadcasting)
// dx = dy summed over the broadcast axes, which the driver's sumToShape does for every rule

import type { Rule } from '../rule.ts';

export const Expand: Rule<'Expand'> = (_node, dy) => [dy[0], undefined];
