// Ops that move data: reshapes, slices, concatenation, gathers, padding. On integers known at build
// time (a Shape's dims, constants) Shape, Gather, Slice, Concat, Squeeze and Unsqueeze fold, so the
// shape arithmetic exporters write (`x.view(x.size(0), -1)`) becomes a static Reshape target.

import * as b from '../../index.ts';
import type { Dim, Value } from '../../index.ts';
import { type NodeContext, allStatic, foldedInts, knownInts } from '../context.ts';
import type { Converter } from './types.ts';

/** A rank-1 integer input known at build time, or undefined. */
function vector(c: NodeContext, i: number): Dim[] | undefined {
  const ints = c.has(i) ? foldedInts(c.known(i)) : undefined;
  return ints && !ints.scalar ? ints.values : undefined;
}

/** ONNX's start/end clamping: negative counts from the end, then into [0, size]. */
const clampIndex = (v: number, size: number): number => Math.min(Math.max(v < 0 ? v + size : v, 0), size);

const reshape: Converter = (c) => {
  c.expect('allowzero', 0, 'a 0 in the target copies the input dim');
  const x = c.value(0);
  const target = c.dims(1, 'shape');
  // A symbolic dim of the target is copied (0) where x has it at the same position, else inferred (-1).
  const numeric = target.map((d, i) => (typeof d === 'number' ? d : x.shape[i] === d ? 0 : -1));
  if (numeric.filter((d) => d === -1).length > 1) c.fail(`target shape [${target.join(', ')}] leaves more than one dim to infer`);
  return [b.reshape(x, numeric)];
};

const transpose: Converter = (c) => {
  const x = c.value(0);
  return [b.transpose(x, c.intList('perm') ?? x.shape.map((_, i) => x.rank - 1 - i))];
};

const concat: Converter = (c) => {
  const axis = c.int('axis', 0);
  const parts = Array.from({ length: c.inputCount }, (_, i) => vector(c, i));
  if (parts.every((p) => p !== undefined)) return [knownInts(parts.flat())];
  return [b.concat(Array.from({ length: c.inputCount }, (_, i) => c.value(i)), axis)];
};

const slice: Converter = (c) => {
  const starts = c.ints(1, 'starts');
  const ends = c.ints(2, 'ends');
  const axes = c.has(3) ? c.ints(3, 'axes') : starts.map((_, i) => i);
  const steps = c.has(4) ? c.ints(4, 'steps') : starts.map(() => 1);
  if (steps.some((s) => s <= 0)) c.fail(`steps [${steps.join(', ')}]: only positive steps are supported`);
  const data = vector(c, 0);
  if (data && axes.length === 1 && axes[0] === 0) {
    const [from, to] = [clampIndex(starts[0]!, data.length), clampIndex(ends[0]!, data.length)];
    return [knownInts(data.filter((_, i) => i >= from && i < to && (i - from) % steps[0]! === 0))];
  }
  const x = c.value(0);
  // Bounds clamped here: exporters write INT64_MAX for "to the end", which a JS number cannot hold.
  const sizes = axes.map((a) => {
    const d = x.shape[b.normAxis(a, x.rank)];
    return typeof d === 'number' ? d : c.fail(`slices the symbolic dim ${String(d)}`);
  });
  return [b.slice(x, starts.map((s, i) => clampIndex(s, sizes[i]!)), ends.map((e, i) => clampIndex(e, sizes[i]!)), axes, steps)];
};

const squeeze: Converter = (c) => {
  const ints = foldedInts(c.known(0));
  if (ints && !ints.scalar && ints.values.length === 1) return [knownInts(ints.values, true, ints.dtype)];
  const x = c.value(0);
  return [b.squeeze(x, c.has(1) ? c.ints(1, 'axes') : x.shape.flatMap((d, i) => (d === 1 ? [i] : [])))];
};

const unsqueeze: Converter = (c) => {
  const axes = c.ints(1, 'axes');
  const ints = foldedInts(c.known(0));
  if (ints?.scalar && axes.length === 1 && (axes[0] === 0 || axes[0] === -1)) return [knownInts(ints.values, false, ints.dtype)];
  return [b.unsqueeze(c.value(0), axes)];
};

const expand: Converter = (c) => {
  const x = c.value(0);
  const target = c.dims(1, 'shape');
  // Expand broadcasts both ways: a 1 in the target keeps x's dim, so x's own symbolic dims become 1.
  const offset = target.length - x.rank;
  const numeric = target.map((d, i) => {
    if (typeof d === 'number') return d;
    if (x.shape[i - offset] === d) return 1;
    return c.fail(`target shape [${target.join(', ')}] has the symbolic dim ${d} where the input has ${String(x.shape[i - offset] ?? 'none')}`);
  });
  return [b.expand(x, numeric)];
};

const shape: Converter = (c) => {
  const k = c.known(0);
  const dims: readonly Dim[] = k.kind === 'value' ? k.value.shape : k.kind === 'constant' ? k.tensor.dims : k.scalar ? [] : [k.values.length];
  const start = clampIndex(c.int('start', 0), dims.length);
  const end = clampIndex(c.int('end', dims.length), dims.length);
  return [knownInts(dims.slice(start, end))];
};

const gather: Converter = (c) => {
  const axis = c.int('axis', 0);
  const data = vector(c, 0);
  const indices = foldedInts(c.known(1));
  if (data && indices && allStatic(indices.values) && axis === 0) {
    const picked = indices.values.map((i) => data[i < 0 ? i + data.length : i]);
    if (picked.some((p) => p === undefined)) c.fail(`indices [${indices.values.join(', ')}] out of range for ${data.length} values`);
    return [knownInts(picked as Dim[], indices.scalar)];
  }
  return [b.gather(c.value(0), c.value(1), axis)];
};

const pad: Converter = (c) => {
  const mode = c.string('mode', 'constant');
  if (mode !== 'constant') c.fail(`mode ${mode} is not supported (constant zero padding is)`);
  const x = c.value(0);
  const given = c.ints(1, 'pads');
  const value = c.scalar(2, 'constant_value') ?? 0;
  if (value !== 0) c.fail(`constant_value ${value} is not supported (zero padding is)`);
  let pads = given;
  if (c.has(3)) {
    const axes = c.ints(3, 'axes').map((a) => b.normAxis(a, x.rank));
    pads = new Array<number>(2 * x.rank).fill(0);
    axes.forEach((a, i) => { pads[a] = given[i]!; pads[a + x.rank] = given[i + axes.length]!; });
  }
  return [b.pad(x, pads)];
};

/** Split into Slices: sizes from the `split` input, else `num_outputs` (opset 18) or one per output, equal. */
const split: Converter = (c) => {
  const x = c.value(0);
  const axis = b.normAxis(c.int('axis', 0), x.rank);
  const size = x.shape[axis];
  if (typeof size !== 'number') return c.fail(`splits the symbolic dim ${String(size)}`);
  const parts = c.int('num_outputs', c.node.outputs.length);
  const chunk = Math.ceil(size / parts);
  const sizes = c.has(1) ? c.ints(1, 'split') : Array.from({ length: parts }, (_, i) => Math.min(chunk, size - i * chunk));
  if (sizes.reduce((a, s) => a + s, 0) !== size || sizes.length !== c.node.outputs.length) c.fail(`split [${sizes.join(', ')}] does not cut ${size} into ${c.node.outputs.length} outputs`);
  let start = 0;
  return sizes.map((s) => b.slice(x, [start], [(start += s)], [axis]));
};

export const SHAPE: Readonly<Record<string, Converter>> = {
  Reshape: reshape,
  Flatten: (c) => [b.flatten(c.value(0), c.int('axis', 1))],
  Transpose: transpose,
  Concat: concat,
  Slice: slice,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Expand: expand,
  Shape: shape,
  Gather: gather,
  Pad: pad,
  Split: split,
  GatherElements: (c) => [b.gatherElements(c.value(0), c.value(1), c.int('axis', 0))],
  ScatterElements: (c) => {
    const reduction = c.string('reduction', 'none');
    if (reduction !== 'none' && reduction !== 'add') return c.fail(`reduction ${reduction} is not supported (none and add are)`);
    return [b.scatterElements(c.value(0), c.value(1), c.value(2), c.int('axis', 0), reduction)];
  },
};
