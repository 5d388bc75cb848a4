// Pieces several rules share: undoing broadcasting, zeros, static axes of constant inputs.

import * as b from '../onnx/index.ts';
import type { Shape, Value } from '../onnx/index.ts';

/** Sums a broadcast gradient back to `shape`: leading axes are summed away, size-1 axes summed keepdims. */
export function sumToShape(grad: Value, shape: Shape): Value {
  if (b.sameShape(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  if (lead < 0) throw new Error(`cannot sum ${b.formatShape(grad.shape)} to ${b.formatShape(shape)}`);
  const axes: number[] = [];
  grad.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  const summed = axes.length > 0 ? b.reduceSum(grad, axes, true) : grad;
  return lead > 0 ? b.squeeze(summed, Array.from({ length: lead }, (_, i) => i)) : summed;
}

/** Zeros with the shape and dtype of x. */
export function zerosLike(x: Value): Value {
  const zero = x.graph.scalar(0, x.dtype);
  return b.isStatic(x.shape) ? b.expand(zero, x.shape) : b.expandLike(zero, x);
}

/** The integer contents of a constant input (axes, shapes), which rules need at build time. */
export function staticInts(v: Value | undefined, what: string): number[] {
  const ints = v ? v.graph.constInts(v) : undefined;
  if (!ints) throw new Error(`${what} must be a constant to differentiate`);
  return ints;
}

/** g reshaped to the shape of x: a static Reshape where x's shape is static, else one read at run time. */
export function reshapeAs(g: Value, x: Value): Value {
  if (b.sameShape(g.shape, x.shape)) return g;
  return b.isStatic(x.shape) && !x.shape.includes(0) ? b.reshape(g, x.shape) : b.reshapeLike(g, x);
}

/**
 * g reshaped to `dims` without a tensor of that shape at hand: symbolic dims that g has at the same
 * position are copied with ONNX's 0, one other symbolic dim is inferred with -1.
 */
export function reshapeToDims(g: Value, dims: Shape): Value {
  const target = dims.map((d, i) => (typeof d === 'number' ? d : g.shape[i] === d ? 0 : -1));
  if (target.filter((t) => t === -1).length > 1 || dims.some((d) => d === 0)) {
    throw new Error(`cannot reshape ${b.formatShape(g.shape)} to ${b.formatShape(dims)} at build time`);
  }
  return b.reshape(g, target);
}
