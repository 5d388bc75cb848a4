// y[n, c, q] = max_k xpad[n, c, s*q + k] over the kernel offsets k (padding never wins)
// dx = fold( first_k(xpad[s*q + k] == y) * dy ): the first maximum of each window (row-major, as ORT's
// Indices and PyTorch on ties) takes the gradient; windows that share a maximum add up.
// Emitted as the composite MaxPoolGrad (max_pool_grad.ts: its portable float form, and why).

import { GradError } from '../grad_error.ts';
import { maxPoolGrad } from '../max_pool_grad.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const MaxPool: Rule<'MaxPool'> = (node, dys) => {
  const y = output(node);
  if (y.shape.slice(2).some((d) => typeof d !== 'number')) throw new GradError(`${node.name}: MaxPool's gradient needs static spatial dims`);
  return [maxPoolGrad(input(node, 0), y, outGrad(dys), node.attrs)];
};
