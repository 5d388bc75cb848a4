// Conv backward pieces shared by the Conv and ConvTranspose rules (2-D, NCHW, pads [top, left, bottom, right]).
//
// y[n, f, p] = sum_{c in group(f), k} x[n, c, s*p + d*k - pad] w[f, c, k]
// dx = the adjoint in x: a Conv of dy with w transposed per group (Cin <-> Cout) and flipped 180 degrees
//      when the strides are 1, else ConvTranspose(dy, w) with the output_padding that restores x's size
// dw[f, c, k] = sum_{n, p} dy[n, f, p] x[n, c, s*p + d*k - pad], over the strided windows of the padded
//      x at each kernel offset k: batched per-offset MatMuls, per-offset MatMuls over the whole batch,
//      or one Conv over the batch (see convWeightGrad)

import * as b from '../onnx/index.ts';
import type { ConvAttrs } from '../onnx/op_types.ts';
import type { Value } from '../onnx/index.ts';
import { transposeOutputPadding } from './pool_grad.ts';

const spatial = (v: Value, what: string): [number, number] => b.staticShape(v.shape.slice(2), what) as [number, number];
const channels = (v: Value): number => b.staticShape(v.shape.slice(1, 2), 'Conv gradient (channels)')[0]!;

/** w [F, C/g, kh, kw] -> [C, F/g, kh, kw] with each group's channel axes swapped and the kernel rotated 180 degrees. */
export function flippedTransposedWeight(w: Value, group: number): Value {
  const [f, cg, kh, kw] = b.staticShape(w.shape, 'Conv gradient (weight shape)') as [number, number, number, number];
  const kk = kh * kw;
  // Reversing the flattened kh*kw axis flips both kernel axes at once.
  const perGroup = b.transpose(b.reshape(w, [group, f / group, cg, kk]), [0, 2, 1, 3]);
  const flipped = kk > 1 ? b.gather(perGroup, w.graph.ints(Array.from({ length: kk }, (_, i) => kk - 1 - i)), 3) : perGroup;
  return b.reshape(flipped, [cg * group, f / group, kh, kw]);
}

/** flippedTransposedWeight as the composite op FlippedWeight(w), which the CPU lowering pass builds in its blocked order at once. */
function flippedWeightOp(w: Value, group: number): Value {
  const [f, cg, kh, kw] = b.staticShape(w.shape, 'Conv gradient (weight shape)');
  const shape = [cg! * group, f! / group, kh!, kw!];
  return b.composite(w.graph, 'FlippedWeight', [w], { group }, () => ({ dtype: w.dtype, shape }), ([wi]) => [flippedTransposedWeight(wi!, group)]);
}

/** dx of y = Conv(x, w) with `attrs`; x gives the shape to restore. */
export function convInputGrad(dy: Value, w: Value, x: Value, attrs: ConvAttrs): Value {
  const { strides, pads, dilations, group } = attrs;
  const kernel = spatial(w, 'Conv gradient (kernel)');
  const flipPads = [0, 1, 0, 1].map((axis, i) => dilations[axis]! * (kernel[axis]! - 1) - pads[i]!);
  if (strides.every((s) => s === 1) && flipPads.every((p) => p >= 0)) {
    return b.conv(dy, flippedWeightOp(w, group), undefined, { pads: flipPads, dilations, group });
  }
  const outputPadding = transposeOutputPadding(spatial(x, 'Conv gradient (input)'), spatial(dy, 'Conv gradient (output)'), kernel, strides, pads, dilations);
  return b.convTranspose(dy, w, { strides, pads, dilations, group, outputPadding });
}

/** A rank-4 x with spatial axes (h, h + 1) zero-padded by [top, left, bottom, right]. */
function padSpatial(x: Value, h: number, pads: readonly number[]): Value {
  if (pads.every((p) => p === 0)) return x;
  const all = new Array<number>(8).fill(0);
  all[h] = pads[0]!;
  all[h + 1] = pads[1]!;
  all[h + 4] = pads[2]!;
  all[h + 5] = pads[3]!;
  return b.pad(x, all);
}

/**
 * The windows of x (spatial axes at `axis`, `axis + 1`: 2 for NCHW, 1 for NHWC) that meet dy at each
 * kernel offset (a, k), row-major: strided slices of the padded x, or x itself where the window is all
 * of x (stride 1, offset = pad, same size), which saves a copy.
 */
function windows(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs, axis: number): Value[] {
  const { strides: s, pads, dilations: d } = attrs;
  const [h, w] = b.staticShape(x.shape.slice(axis, axis + 2), 'Conv gradient (input)') as [number, number];
  const [ho, wo] = spatial(dy, 'Conv gradient (output)');
  const padded = padSpatial(x, axis, pads);
  const out: Value[] = [];
  for (let a = 0; a < kernel[0]!; a++) {
    for (let k = 0; k < kernel[1]!; k++) {
      const [r0, c0] = [a * d[0]!, k * d[1]!];
      const whole = s[0] === 1 && s[1] === 1 && r0 === pads[0] && c0 === pads[1] && ho === h && wo === w;
      out.push(whole ? x : b.slice(padded, [r0, c0], [r0 + s[0]! * (ho - 1) + 1, c0 + s[1]! * (wo - 1) + 1], [axis, axis + 1], s));
    }
  }
  return out;
}

/** [kh*kw] products of shape [F, C] (row-major offsets) -> [F, C, kh, kw]. */
function stackOffsets(parts: readonly Value[], kernel: readonly number[]): Value {
  const [f, c] = b.staticShape(parts[0]!.shape, 'Conv gradient (weight)') as [number, number];
  if (parts.length === 1) return b.reshape(parts[0]!, [f, c, kernel[0]!, kernel[1]!]);
  const stacked = b.concat(parts.map((p) => b.reshape(p, [f, c, 1])), 2);
  return b.reshape(stacked, [f, c, kernel[0]!, kernel[1]!]);
}

/**
 * dw as per-offset batched products: dw_k [g, Fg, Cg] = sum_n dy[n, g] [Fg, L] @ window_k[n, g]^T [L, Cg],
 * one batched MatMul over [N, g] (ORT fuses the transpose into it) and a ReduceSum over n; L = Ho*Wo.
 * No transpose of x or dy; the [N, g, Fg, Cg] products make it costly when L is small next to F.
 */
export function weightGradBatched(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const { group } = attrs;
  const [c, f] = [channels(x), channels(dy)];
  const dyg = b.reshape(dy, [0, group, f / group, -1]);
  const parts = windows(x, dy, kernel, attrs, 2).map((window) => {
    // Depthwise (one input and one output channel per group): a product of 1x1 matrices, so Mul + ReduceSum.
    if (f === group && c === group) return b.reshape(b.reduceSum(b.mul(dy, window), [0, 2, 3]), [f, 1]);
    const windowT = b.transpose(b.reshape(window, [0, group, c / group, -1]), [0, 1, 3, 2]);
    return b.reshape(b.reduceSum(b.matmul(dyg, windowT), [0]), [f, c / group]);
  });
  return stackOffsets(parts, kernel);
}

/**
 * dw per kernel offset as one product over the whole batch (group 1): x transposed once to NHWC, and
 * dw_k = dy^T [F, N*L] @ window_k [N*L, C]. One window copy at a time: im2col's single product over all
 * kh*kw windows side by side is as fast, but holds kh*kw copies of x and their concatenation at once.
 */
export function weightGradPerOffset(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [c, f] = [channels(x), channels(dy)];
  const dyT = b.reshape(b.transpose(dy, [1, 0, 2, 3]), [f, -1]);
  const parts = windows(b.transpose(x, [0, 2, 3, 1]), dy, kernel, attrs, 1).map((window) => b.matmul(dyT, b.reshape(window, [-1, c])));
  return stackOffsets(parts, kernel);
}

/**
 * dw as one Conv in which the batch is the reduced axis (group 1): x^T [C, N, H, W] convolved with
 * dy^T [F, N, Ho, Wo] as the filter, strides and dilations swapped, gives [C, F, >= kh, >= kw]; its
 * top-left kh x kw corner, transposed, is dw. Pays where C is tiny (the first Conv over the images).
 */
export function weightGradAsConv(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const { strides, dilations, pads } = attrs;
  const r = b.conv(b.transpose(x, [1, 0, 2, 3]), b.transpose(dy, [1, 0, 2, 3]), undefined, { strides: dilations, dilations: strides, pads });
  const [kh, kw] = spatial(r, 'Conv gradient (weight)');
  const cut = kh === kernel[0] && kw === kernel[1] ? r : b.slice(r, [0, 0], [kernel[0]!, kernel[1]!], [2, 3]);
  return b.transpose(cut, [1, 0, 2, 3]);
}

/**
 * dw of y = Conv(x, w) with `attrs`, w of spatial size `kernel`. Chosen by bench/conv_backward.ts
 * (onnxruntime-node CPU, 2 threads): one Conv over the batch where x has at most 4 channels (the
 * images: 1.5x the others at 3x3 on 3 channels, 3.5x on 1 channel, 3x for the 7x7 stride-2 ImageNet
 * stem), else the batched per-offset products where each image has at least as many output positions
 * as output channels (L >= F: 3x3 at 16x16 and 32x32, 1x1, 3x3 stride 2; as fast as the best other form
 * to 1.3x it; its [N, F, C] products are then no larger than x), per-offset products over the whole
 * batch where it has fewer (ResNet layer3/4 at 8x8 and 4x4: 1.35-2x the batched form; as fast as im2col,
 * whose kh*kw copies of x at once were ResNet-18's peak: 2,253 -> 1,996 MB at 128 x 2 views).
 * Group > 1 always takes the batched form.
 */
export function convWeightGrad(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  if (attrs.group !== 1) return weightGradBatched(x, dy, kernel, attrs);
  if (channels(x) <= 4) return weightGradAsConv(x, dy, kernel, attrs);
  const [ho, wo] = spatial(dy, 'Conv gradient (output)');
  return ho * wo < channels(dy) ? weightGradPerOffset(x, dy, kernel, attrs) : weightGradBatched(x, dy, kernel, attrs);
}

/** convWeightGrad as the composite op ConvWeightGrad(x, dy), which the CPU lowering pass may replace. */
export function convWeightGradOp(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const shape = [channels(dy), channels(x) / attrs.group, ...kernel];
  return b.composite(x.graph, 'ConvWeightGrad', [x, dy], { ...attrs, kernel_shape: [...kernel] }, () => ({ dtype: x.dtype, shape }), ([xi, dyi]) => [convWeightGrad(xi!, dyi!, kernel, attrs)]);
}
