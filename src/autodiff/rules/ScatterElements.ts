// y = data, then y[idx] = updates ('none') or y[idx] += updates ('add') along axis
// d data = dy with the written positions zeroed ('none') or dy ('add')
// d updates = gatherElements(dy, idx, axis); indices get none

import * as b from '../../onnx/index.ts';
import { zerosLike } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const ScatterElements: Rule<'ScatterElements'> = (node, dy) => {
  const g = outGrad(dy);
  const idx = input(node, 1);
  const { axis, reduction } = node.attrs;
  const dData = reduction === 'add' ? g : b.scatterElements(g, idx, zerosLike(input(node, 2)), axis, 'none');
  return [dData, undefined, b.gatherElements(g, idx, axis)];
};
