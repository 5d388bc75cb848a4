// y = gather(x, idx, axis): y[a.., i.., b..] = x[a.., idx[i..], b..]
// dx = scatterElements(zeros(x), idx', dy', axis, 'add'), where idx is flattened to one axis K and
// broadcast over the others, and dy reshaped to match: [x_0..x_(axis-1), K, x_(axis+1)..]
// (repeated indices accumulate; indices get none)

import * as b from '../../onnx/index.ts';
import { reshapeToDims, zerosLike } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Gather: Rule<'Gather'> = (node, dy) => {
  const x = input(node, 0);
  const axis = node.attrs.axis;
  let idx = input(node, 1);
  let g = outGrad(dy);
  if (idx.rank === 0) {
    idx = b.unsqueeze(idx, [0]);
    g = b.unsqueeze(g, [axis]);
  } else if (idx.rank > 1) {
    const k = b.isStatic(idx.shape) ? b.numel(idx.shape) : idx.shape.join('*');
    idx = b.reshape(idx, [-1]);
    g = reshapeToDims(g, x.shape.map((d, i) => (i === axis ? k : d)));
  }
  // idx [K] -> [1, .., K, .., 1] -> shape of g
  const others = x.shape.map((_, i) => i).filter((i) => i !== axis);
  const spread = others.length > 0 ? b.unsqueeze(idx, others) : idx;
  const expanded = b.isStatic(g.shape) ? b.expand(spread, g.shape) : b.expandLike(spread, g);
  return [b.scatterElements(zerosLike(x), expanded, g, axis, 'add'), undefined];
};
