// Ops that move data without arithmetic: reshape, transpose, concat, slice, squeeze, expand, pad, gather.

import type { Value } from '../graph.ts';
import { type Dim, ShapeError, broadcastShapes, formatShape, normAxis } from '../shape.ts';
import { emit } from './common.ts';

/** Output dims of Reshape with ONNX's 0 (copy) and -1 (infer); symbolic dims survive through 0 or -1. */
function reshapeDims(input: readonly Dim[], target: readonly number[]): Dim[] {
  const out: Dim[] = target.map((t, i) => (t === 0 ? input[i]! : t));
  const unknown = out.indexOf(-1);
  const staticIn = input.filter((d): d is number => typeof d === 'number').reduce((a, b) => a * b, 1);
  const symIn = input.filter((d): d is string => typeof d === 'string');
  const symOut = out.filter((d): d is string => typeof d === 'string');
  const rest = symIn.filter((s) => !symOut.includes(s));
  const staticOut = out.filter((d): d is number => typeof d === 'number' && d !== -1).reduce((a, b) => a * b, 1);
  if (unknown < 0) {
    if (rest.length === 0 && staticIn !== staticOut) throw new ShapeError(`cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
    return out;
  }
  if (rest.length === 0) {
    if (staticIn % staticOut !== 0) throw new ShapeError(`cannot reshape ${formatShape(input)} to ${formatShape(target)}`);
    out[unknown] = staticIn / staticOut;
  } else {
    out[unknown] = rest.length === 1 && staticIn === staticOut ? rest[0]! : `${rest.join('*')}*${staticIn / staticOut}`;
  }
  return out;
}

export function reshape(x: Value, target: readonly number[]): Value {
  const g = x.graph;
  return emit(g, 'Reshape', [x, g.ints(target)], {}, () => ({ dtype: x.dtype, shape: reshapeDims(x.shape, target) }));
}

/** Shape of x as a run-time int64 tensor (for shapes with symbolic dims). */
export function shapeOf(x: Value): Value {
  return emit(x.graph, 'Shape', [x], {}, () => ({ dtype: 'int64', shape: [x.rank] }));
}

/** Reshapes x to the shape of `like`, read at run time. */
export function reshapeLike(x: Value, like: Value): Value {
  return emit(x.graph, 'Reshape', [x, shapeOf(like)], {}, () => ({ dtype: x.dtype, shape: like.shape }));
}

export function flatten(x: Value, axis = 1): Value {
  return emit(x.graph, 'Flatten', [x], { axis }, () => {
    const a = axis < 0 ? axis + x.rank : axis;
    const prod = (ds: readonly Dim[]): Dim =>
      ds.every((d) => typeof d === 'number') ? ds.reduce<number>((p, d) => p * (d as number), 1) : ds.length === 1 ? ds[0]! : ds.join('*');
    return { dtype: x.dtype, shape: [prod(x.shape.slice(0, a)), prod(x.shape.slice(a))] };
  });
}

export function transpose(x: Value, perm: readonly number[]): Value {
  return emit(x.graph, 'Transpose', [x], { perm: [...perm] }, () => {
    if (perm.length !== x.rank || new Set(perm).size !== x.rank) throw new ShapeError(`perm ${formatShape(perm)} does not fit rank ${x.rank}`);
    return { dtype: x.dtype, shape: perm.map((p) => x.shape[p]!) };
  });
}

export function concat(xs: readonly Value[], axis: number): Value {
  const first = xs[0];
  if (!first) throw new ShapeError('concat of nothing');
  const a = normAxis(axis, first.rank);
  return emit(first.graph, 'Concat', xs, { axis: a }, () => {
    const dims = xs.map((x) => x.shape[a]!);
    for (const x of xs) {
      if (x.rank !== first.rank || x.shape.some((d, i) => i !== a && d !== first.shape[i])) {
        throw new ShapeError(`shapes ${xs.map((v) => formatShape(v.shape)).join(', ')} do not concatenate on axis ${a}`);
      }
    }
    const size: Dim = dims.every((d) => typeof d === 'number') ? dims.reduce<number>((p, d) => p + (d as number), 0) : dims.join('+');
    const shape = [...first.shape];
    shape[a] = size;
    return { dtype: first.dtype, shape };
  });
}

/** Static slice: x[starts:ends:steps] along `axes` (ends clamp like numpy). */
export function slice(x: Value, starts: readonly number[], ends: readonly number[], axes: readonly number[], steps?: readonly number[]): Value {
  const g = x.graph;
  const st = steps ?? axes.map(() => 1);
  const inputs = [x, g.ints(starts), g.ints(ends), g.ints(axes), g.ints(st)];
  return emit(g, 'Slice', inputs, {}, () => {
    const shape = [...x.shape];
    axes.forEach((axis, i) => {
      const a = normAxis(axis, x.rank);
      const d = shape[a]!;
      if (typeof d !== 'number') throw new ShapeError(`slicing symbolic dim ${d} is not supported`);
      const step = st[i]!;
      if (step <= 0) throw new ShapeError('only positive slice steps are supported');
      const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
      shape[a] = Math.max(0, Math.ceil((clamp(ends[i]!) - clamp(starts[i]!)) / step));
    });
    return { dtype: x.dtype, shape };
  });
}

export function unsqueeze(x: Value, axes: readonly number[]): Value {
  const g = x.graph;
  return emit(g, 'Unsqueeze', [x, g.ints(axes)], {}, () => {
    const rank = x.rank + axes.length;
    const set = new Set(axes.map((a) => normAxis(a, rank)));
    const rest = [...x.shape];
    return { dtype: x.dtype, shape: Array.from({ length: rank }, (_, i) => (set.has(i) ? 1 : rest.shift()!)) };
  });
}

export function squeeze(x: Value, axes: readonly number[]): Value {
  const g = x.graph;
  return emit(g, 'Squeeze', [x, g.ints(axes)], {}, () => {
    const set = new Set(axes.map((a) => normAxis(a, x.rank)));
    for (const a of set) if (x.shape[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of ${formatShape(x.shape)}`);
    return { dtype: x.dtype, shape: x.shape.filter((_, i) => !set.has(i)) };
  });
}

/** Broadcasts x to a static shape. */
export function expand(x: Value, shape: readonly number[]): Value {
  const g = x.graph;
  return emit(g, 'Expand', [x, g.ints(shape)], {}, () => ({ dtype: x.dtype, shape: broadcastShapes(x.shape, shape) }));
}

/** Broadcasts x to the shape of `like`, read at run time. */
export function expandLike(x: Value, like: Value): Value {
  return emit(x.graph, 'Expand', [x, shapeOf(like)], {}, () => ({ dtype: x.dtype, shape: broadcastShapes(x.shape, like.shape) }));
}

/** Constant zero padding; `pads` is ONNX's [begin_0, begin_1, ..., end_0, end_1, ...]. */
export function pad(x: Value, pads: readonly number[]): Value {
  const g = x.graph;
  return emit(g, 'Pad', [x, g.ints(pads), g.scalar(0, x.dtype)], { mode: 'constant' }, () => {
    if (pads.length !== 2 * x.rank) throw new ShapeError(`pads ${formatShape(pads)} do not fit rank ${x.rank}`);
    return {
      dtype: x.dtype,
      shape: x.shape.map((d, i) => {
        const extra = pads[i]! + pads[i + x.rank]!;
        if (extra === 0) return d;
        if (typeof d !== 'number') throw new ShapeError(`cannot pad symbolic dim ${d}`);
        return d + extra;
      }),
    };
  });
}

export function gather(x: Value, indices: Value, axis = 0): Value {
  const a = normAxis(axis, x.rank);
  return emit(x.graph, 'Gather', [x, indices], { axis: a }, () => ({
    dtype: x.dtype,
    shape: [...x.shape.slice(0, a), ...indices.shape, ...x.shape.slice(a + 1)],
  }));
}

/** out = data; out[indices[i]] (op)= updates[i] along `axis`. */
export function scatterElements(data: Value, indices: Value, updates: Value, axis: number, reduction: 'none' | 'add' = 'none'): Value {
  return emit(data.graph, 'ScatterElements', [data, indices, updates], { axis: normAxis(axis, data.rank), reduction }, () => ({
    dtype: data.dtype,
    shape: data.shape,
  }));
}

/** out[i][j] = x[indices[i][j]][j] (axis 0), the inverse of scatterElements; out has the shape of `indices`. */
export function gatherElements(x: Value, indices: Value, axis: number): Value {
  return emit(x.graph, 'GatherElements', [x, indices], { axis: normAxis(axis, x.rank) }, () => {
    if (indices.rank !== x.rank) throw new ShapeError(`indices ${formatShape(indices.shape)} must have the rank of ${formatShape(x.shape)}`);
    return { dtype: x.dtype, shape: indices.shape };
  });
}

/**
 * Slice with bounds computed at run time (int64 [k] values, e.g. from shapeOf); the caller states the
 * resulting `dims` of the sliced `axes`, which shape inference cannot know.
 */
export function sliceDynamic(x: Value, starts: Value, ends: Value, axes: readonly number[], dims: readonly Dim[]): Value {
  const g = x.graph;
  return emit(g, 'Slice', [x, starts, ends, g.ints(axes)], {}, () => {
    if (dims.length !== axes.length) throw new ShapeError(`${dims.length} dims for ${axes.length} axes`);
    const shape = [...x.shape];
    axes.forEach((axis, i) => { shape[normAxis(axis, x.rank)] = dims[i]!; });
    return { dtype: x.dtype, shape };
  });
}
