// y = pad(x, pads) in constant mode; pads = [begin_0, .., begin_(r-1), end_0, .., end_(r-1)]
// dx = dy[begin : dim(y) - end] per axis (a negative pad cropped x: those positions get zeros back)

import * as b from '../../onnx/index.ts';
import { GradError } from '../grad_error.ts';
import { staticInts } from '../helpers.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const Pad: Rule<'Pad'> = (node, dy) => {
  if (node.attrs.mode !== 'constant') throw new GradError(`${node.name}: Pad mode '${node.attrs.mode}' has no gradient rule`);
  const x = input(node, 0);
  const y = output(node);
  const given = staticInts(node.inputs[1], 'Pad pads');
  const axes = node.inputs[3] ? staticInts(node.inputs[3], 'Pad axes').map((a) => b.normAxis(a, x.rank)) : x.shape.map((_, i) => i);
  const begin = new Array<number>(x.rank).fill(0);
  const end = new Array<number>(x.rank).fill(0);
  axes.forEach((axis, i) => {
    begin[axis] = given[i] ?? 0;
    end[axis] = given[i + axes.length] ?? 0;
  });
  const cut = x.shape.map((_, i) => i).filter((i) => begin[i]! > 0 || end[i]! > 0);
  const starts = cut.map((i) => Math.max(0, begin[i]!));
  const ends = cut.map((i) => {
    const d = y.shape[i];
    if (typeof d !== 'number') throw new GradError(`${node.name}: padded dim ${String(d)} must be static`);
    return d - Math.max(0, end[i]!);
  });
  let g = cut.length > 0 ? b.slice(outGrad(dy), starts, ends, cut) : outGrad(dy);
  // Negative pads cropped x: put zeros back where it was cropped.
  const uncrop = [...begin, ...end].map((p) => Math.max(0, -p));
  if (uncrop.some((p) => p > 0)) g = b.pad(g, uncrop);
  return [g, undefined, undefined, undefined];
};
