// y = max(x, 0)
// dx = dy * (y > 0)
// From the output, so that the forward keeps only y (which the next layer keeps anyway) and the input
// can be freed; as a Mul by the 0/1 mask: ORT's CPU Where is not vectorised (37 ms against 22 ms for
// Greater + Cast + Mul on [256, 64, 32, 32]).

import * as b from '../../onnx/index.ts';
import { type Rule, outGrad, output } from '../rule.ts';

export const Relu: Rule<'Relu'> = (node, dy) => {
  const y = output(node);
  return [b.mul(outGrad(dy), b.cast(b.greater(y, 0), y.dtype))];
};
