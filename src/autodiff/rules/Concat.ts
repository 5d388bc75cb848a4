// y = concat(x_0, ..., x_k) along axis
// dx_i = dy[o_i : o_i + n_i] along axis, o_i = n_0 + ... + n_(i-1)

import * as b from '../../onnx/index.ts';
import type { Value } from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

/** Size of x along `axis` as an int64 [1] value: a constant, or read at run time when symbolic. */
function sizeOf(x: Value, axis: number): Value {
  const d = x.shape[axis];
  return typeof d === 'number' ? x.graph.ints([d]) : b.slice(b.shapeOf(x), [axis], [axis + 1], [0]);
}

export const Concat: Rule<'Concat'> = (node, dy) => {
  const g = outGrad(dy);
  const axis = node.attrs.axis;
  const xs = node.inputs.map((_, i) => input(node, i));
  if (xs.length === 1) return [g];
  const sizes = xs.map((x) => x.shape[axis]);
  if (sizes.every((d) => typeof d === 'number')) {
    let offset = 0;
    return sizes.map((n) => {
      const dx = b.slice(g, [offset], [offset + n], [axis]);
      offset += n;
      return dx;
    });
  }
  // A symbolic size (views concatenated along the batch axis 'N'): offsets are computed at run time.
  let start = g.graph.ints([0]);
  return xs.map((x, i) => {
    const end = b.add(start, sizeOf(x, axis));
    const dx = b.sliceDynamic(g, start, end, [axis], [sizes[i]!]);
    start = end;
    return dx;
  });
};
