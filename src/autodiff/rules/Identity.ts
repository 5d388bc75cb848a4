// y = x
// dx = dy (a stopGradient Identity never reaches this rule: the driver skips it)

import type { Rule } from '../rule.ts';

export const Identity: Rule<'Identity'> = (_node, dy) => [dy[0]];
