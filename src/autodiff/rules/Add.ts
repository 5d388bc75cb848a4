// z = x + y
// dx = dz, dy = dz (broadcasting undone by the driver)

import type { Rule } from '../rule.ts';

export const Add: Rule<'Add'> = (_node, [dz]) => [dz, dz];
