// z = min(x, y)
// dx = dz * (x <= y), dy = dz * (x > y): at ties the first operand takes the whole gradient

import * as b from '../../onnx/index.ts';
import { GradError } from '../grad_error.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Min: Rule<'Min'> = (node, dz) => {
  if (node.inputs.length !== 2) throw new GradError(`Min with ${node.inputs.length} operands is not supported (${node.name})`);
  const yWins = b.greater(input(node, 0), input(node, 1));
  return [b.where(yWins, 0, outGrad(dz)), b.where(yWins, outGrad(dz), 0)];
};
