// y = gatherElements(x, idx, axis): y[i][j] = x[idx[i][j]][j] (axis 0)
// dx = scatterElements(zeros(x), idx, dy, axis, 'add') (repeated indices accumulate; indices get none)

import * as b from '../../onnx/index.ts';
import { zerosLike } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const GatherElements: Rule<'GatherElements'> = (node, dy) => {
  const x = input(node, 0);
  return [b.scatterElements(zerosLike(x), input(node, 1), outGrad(dy), node.attrs.axis, 'add'), undefined];
};
