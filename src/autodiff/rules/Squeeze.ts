// y = squeeze(x, axes)
// dx = unsqueeze(dy, axes); without axes (all size-1 dims removed) dx = reshape(dy, shape(x))

import * as b from '../../onnx/index.ts';
import { reshapeAs, staticInts } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Squeeze: Rule<'Squeeze'> = (node, dy) => {
  const x = input(node, 0);
  if (!node.inputs[1]) return [reshapeAs(outGrad(dy), x), undefined];
  const axes = staticInts(node.inputs[1], 'Squeeze axes').map((a) => b.normAxis(a, x.rank));
  return [b.unsqueeze(outGrad(dy), axes), undefined];
};
