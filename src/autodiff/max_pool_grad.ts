// MaxPool's input gradient as the composite op MaxPoolGrad(x, y, dy) and its portable expansion, in
// float ops that every execution provider runs on the device (WebGPU's MaxPool has no Indices output,
// and WebGPU runs int64 Equal/Cast on the CPU, so no ArgMax either). The CPU lowering pass replaces it
// with a scatter through MaxPool's Indices (src/runtime/cpu_lowering.ts).
//
// The first maximum of each window (row-major) takes the gradient, the element ORT's Indices output and
// PyTorch pick on ties; overlapping windows that share a maximum add up.

import * as b from '../onnx/index.ts';
import type { Value } from '../onnx/index.ts';
import type { PoolAttrs } from '../onnx/op_types.ts';
import { reshapeAs } from './helpers.ts';
import { foldWindows, unfoldWindows, windowsInside } from './pool_grad.ts';

/** dx of y = MaxPool(x) with `attrs` for the output gradient dy; x [N, C, H, W] with static spatial dims. */
export function maxPoolGrad(x: Value, y: Value, dy: Value, attrs: PoolAttrs): Value {
  return b.composite(x.graph, 'MaxPoolGrad', [x, y, dy], attrs, () => ({ dtype: x.dtype, shape: x.shape }), ([xi, yi, dyi]) => [maxPoolGradFloat(xi!, yi!, dyi!, attrs)]);
}

/** Whether the windows of y = MaxPool(x) tile x: no overlap, no padding, nothing left over. */
export function windowsTile(x: Value, y: Value, attrs: PoolAttrs): boolean {
  const { kernel_shape: kernel, strides, pads } = attrs;
  const [ho, wo] = b.staticShape(y.shape.slice(2), 'MaxPool gradient (output)') as [number, number];
  return kernel.every((k, i) => k === strides[i]) && pads.every((p) => p === 0) && x.shape[2] === ho * kernel[0]! && x.shape[3] === wo * kernel[1]!;
}

export function maxPoolGradFloat(x: Value, y: Value, dy: Value, attrs: PoolAttrs): Value {
  const [ho, wo] = b.staticShape(y.shape.slice(2), 'MaxPool gradient (output)') as [number, number];
  return windowsTile(x, y, attrs) ? tiledGrad(x, y, dy, attrs.kernel_shape, wo) : unfoldedGrad(x, y, dy, attrs, ho, wo);
}

/**
 * x [N, C, Ho*kH, Wo*kW] pooled by non-overlapping kH x kW windows into y [N, C, Ho, Wo]: x is a Reshape
 * to rows [M = N*C*Ho, kH, W], and per-window values are widened to rows [M, 1, W] by a MatMul with the
 * 0/1 matrix [Wo, W] that repeats each column kW times (ORT's CPU broadcasting along a tiny innermost
 * axis is slow; along the middle axis it is not). A hit at window offset k is weighted K - k, so the
 * window's largest weighted hit is its first. No copies of x.
 */
function tiledGrad(x: Value, y: Value, dy: Value, kernel: readonly number[], wo: number): Value {
  const [kh, kw] = [kernel[0]!, kernel[1]!];
  const w = wo * kw;
  const constant = (values: number[], shape: number[]): Value => x.graph.constant(b.fromNumbers(x.dtype, values), x.dtype, shape);
  const widen = constant(Array.from({ length: wo * w }, (_, i) => (Math.floor((i % w) / kw) === Math.floor(i / w) ? 1 : 0)), [wo, w]);
  const weights = constant(Array.from({ length: kh * w }, (_, i) => kh * kw - (Math.floor(i / w) * kw + (i % kw))), [1, kh, w]);
  const widened = (v: Value): Value => b.reshape(b.matmul(b.reshape(v, [-1, wo]), widen), [-1, 1, w]); // [M, 1, W]
  const rows = b.reshape(x, [-1, kh, w]); // [M, kH, W]
  const hits = b.mul(b.cast(b.equal(rows, widened(y)), x.dtype), weights);
  const best = b.reduceMax(b.reshape(b.reduceMax(hits, [1]), [-1, wo, kw]), [2]); // [M, Wo]
  const first = b.cast(b.equal(hits, widened(best)), x.dtype);
  return reshapeAs(b.mul(first, widened(dy)), x);
}

/** Any windows: unfolded (pool_grad.ts) to [N*C, K, Ho, Wo], the count of earlier hits a MatMul with a triangular matrix. */
function unfoldedGrad(x: Value, y: Value, dy: Value, attrs: PoolAttrs, ho: number, wo: number): Value {
  const { kernel_shape: kernel, strides, pads } = attrs;
  const k = kernel[0]! * kernel[1]!;
  let hit = b.cast(b.equal(unfoldWindows(x, kernel, strides, pads), b.reshape(y, [-1, 1, ho, wo])), x.dtype); // [N*C, K, Ho, Wo]
  const inside = windowsInside(x, kernel, strides, pads); // padding reads 0, which may equal y
  if (inside) hit = b.mul(hit, inside);
  let first = hit;
  if (k > 1) {
    // earlier[k] = hits at offsets before k: a strictly lower-triangular [K, K] of ones times hit.
    const lower = Array.from({ length: k * k }, (_, i) => (i % k < Math.floor(i / k) ? 1 : 0));
    const tri = x.graph.constant(b.fromNumbers(x.dtype, lower), x.dtype, [k, k]);
    const earlier = b.reshape(b.matmul(tri, b.reshape(hit, [-1, k, ho * wo])), [-1, k, ho, wo]);
    first = b.mul(hit, b.relu(b.sub(1, earlier)));
  }
  return foldWindows(b.mul(first, b.reshape(dy, [-1, 1, ho, wo])), x, kernel, strides, pads);
}
