// Reductions (axes as a constant input, opset 18), softmax family and argmax.

import type { Value } from '../graph.ts';
import { type Dim, normAxis } from '../shape.ts';
import { emit } from './common.ts';

type Reduce = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceL2' | 'ReduceSumSquare';

export function reducedShape(shape: readonly Dim[], axes: readonly number[], keepdims: boolean): Dim[] {
  const set = new Set(axes.map((a) => normAxis(a, shape.length)));
  return shape.flatMap((d, i) => (set.has(i) ? (keepdims ? [1] : []) : [d]));
}

function reduce(op: Reduce, x: Value, axes: readonly number[], keepdims: boolean): Value {
  const g = x.graph;
  const all = axes.length === 0 ? x.shape.map((_, i) => i) : axes.map((a) => normAxis(a, x.rank));
  return emit(g, op, [x, g.ints(all)], { keepdims: keepdims ? 1 : 0 }, () => ({
    dtype: x.dtype,
    shape: reducedShape(x.shape, all, keepdims),
  }));
}

/** Sum over `axes` (all axes when empty). */
export const reduceSum = (x: Value, axes: readonly number[], keepdims = false): Value => reduce('ReduceSum', x, axes, keepdims);
export const reduceMean = (x: Value, axes: readonly number[], keepdims = false): Value => reduce('ReduceMean', x, axes, keepdims);
export const reduceMax = (x: Value, axes: readonly number[], keepdims = false): Value => reduce('ReduceMax', x, axes, keepdims);
export const reduceL2 = (x: Value, axes: readonly number[], keepdims = false): Value => reduce('ReduceL2', x, axes, keepdims);
/** Sum of squares over `axes`: one pass, no [x * x] temporary. */
export const reduceSumSquare = (x: Value, axes: readonly number[], keepdims = false): Value => reduce('ReduceSumSquare', x, axes, keepdims);

export function softmax(x: Value, axis = -1): Value {
  return emit(x.graph, 'Softmax', [x], { axis: normAxis(axis, x.rank) }, () => ({ dtype: x.dtype, shape: x.shape }));
}

export function logSoftmax(x: Value, axis = -1): Value {
  return emit(x.graph, 'LogSoftmax', [x], { axis: normAxis(axis, x.rank) }, () => ({ dtype: x.dtype, shape: x.shape }));
}

export function argMax(x: Value, axis: number, keepdims = false): Value {
  const a = normAxis(axis, x.rank);
  return emit(x.graph, 'ArgMax', [x], { axis: a, keepdims: keepdims ? 1 : 0 }, () => ({
    dtype: 'int64',
    shape: reducedShape(x.shape, [a], keepdims),
  }));
}
