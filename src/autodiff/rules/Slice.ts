// y = x[starts:ends:steps] along axes (positive steps; bounds normalised and clamped as ONNX does)
// dx = zeros(shape(x)) with dy scattered back: dy dilated by the step (step - 1 zeros between
// elements), then padded with `start` zeros before and the remainder of the axis after

import * as b from '../../onnx/index.ts';
import type { Value } from '../../onnx/index.ts';
import { GradError } from '../grad_error.ts';
import { reshapeToDims, staticInts, zerosLike } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

/** [.., n, ..] -> [.., (n-1)*step + 1, ..] along `axis`, element i moved to i*step, zeros between. */
function dilate(g: Value, axis: number, n: number, step: number): Value {
  const pads = new Array<number>(2 * (g.rank + 1)).fill(0);
  pads[g.rank + 1 + axis + 1] = step - 1;
  const spread = b.pad(b.unsqueeze(g, [axis + 1]), pads); // [.., n, step, ..]
  const merged = reshapeToDims(spread, g.shape.map((d, i) => (i === axis ? n * step : d))); // [.., n*step, ..]
  return b.slice(merged, [0], [(n - 1) * step + 1], [axis]);
}

export const Slice: Rule<'Slice'> = (node, dy) => {
  const x = input(node, 0);
  const starts = staticInts(node.inputs[1], 'Slice starts');
  const ends = staticInts(node.inputs[2], 'Slice ends');
  const axes = node.inputs[3] ? staticInts(node.inputs[3], 'Slice axes').map((a) => b.normAxis(a, x.rank)) : starts.map((_, i) => i);
  const steps = node.inputs[4] ? staticInts(node.inputs[4], 'Slice steps') : axes.map(() => 1);
  const pads = new Array<number>(2 * x.rank).fill(0);
  let g = outGrad(dy);
  for (const [i, axis] of axes.entries()) {
    const d = x.shape[axis];
    const step = steps[i] ?? 1;
    if (typeof d !== 'number') throw new GradError(`${node.name}: slicing symbolic dim ${String(d)} is not differentiable`);
    if (step <= 0) throw new GradError(`${node.name}: slice step ${step} is not differentiable (positive steps only)`);
    const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const start = clamp(starts[i] ?? 0);
    const count = Math.max(0, Math.ceil((clamp(ends[i] ?? d) - start) / step));
    if (count === 0) return [zerosLike(x), undefined, undefined, undefined, undefined];
    if (step > 1 && count > 1) g = dilate(g, axis, count, step);
    const span = (count - 1) * step + 1;
    pads[axis] = start;
    pads[axis + x.rank] = d - start - span;
  }
  return [pads.some((p) => p !== 0) ? b.pad(g, pads) : g, undefined, undefined, undefined, undefined];
};
