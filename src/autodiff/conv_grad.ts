// Conv backward pieces shared by the Conv and ConvTranspose rules (2-D, NCHW, pads [top, left, bottom, right]).
//
// y[n, f, p] = sum_{c in group(f), k} x[n, c, s*p + d*k - pad] w[f, c, k]
// dx = the adjoint in x: a Conv of dy with w transposed per group (Cin <-> Cout) and flipped 180 degrees
//      when the strides are 1, else ConvTranspose(dy, w) with the output_padding that restores x's size
// dw[f, c, k] = sum_{n, p} dy[n, f, p] x[n, c, s*p + d*k - pad]: one product per kernel offset k
//      over the strided slice of the padded x at that offset (see convWeightGrad for the measured choice)

import * as b from '../onnx/index.ts';
import type { ConvAttrs } from '../onnx/op_types.ts';
import type { Value } from '../onnx/index.ts';
import { transposeOutputPadding } from './pool_grad.ts';

const spatial = (v: Value, what: string): [number, number] => b.staticShape(v.shape.slice(2), what) as [number, number];

/** w [F, C/g, kh, kw] -> [C, F/g, kh, kw] with each group's channel axes swapped and the kernel rotated 180 degrees. */
export function flippedTransposedWeight(w: Value, group: number): Value {
  const [f, cg, kh, kw] = b.staticShape(w.shape, 'Conv gradient (weight shape)') as [number, number, number, number];
  const kk = kh * kw;
  // Reversing the flattened kh*kw axis flips both kernel axes at once.
  const perGroup = b.transpose(b.reshape(w, [group, f / group, cg, kk]), [0, 2, 1, 3]);
  const flipped = kk > 1 ? b.gather(perGroup, w.graph.ints(Array.from({ length: kk }, (_, i) => kk - 1 - i)), 3) : perGroup;
  return b.reshape(flipped, [cg * group, f / group, kh, kw]);
}

/** dx of y = Conv(x, w) with `attrs`; x gives the shape to restore. */
export function convInputGrad(dy: Value, w: Value, x: Value, attrs: ConvAttrs): Value {
  const { strides, pads, dilations, group } = attrs;
  const kernel = spatial(w, 'Conv gradient (kernel)');
  const flipPads = [0, 1, 0, 1].map((axis, i) => dilations[axis]! * (kernel[axis]! - 1) - pads[i]!);
  if (strides.every((s) => s === 1) && flipPads.every((p) => p >= 0)) {
    return b.conv(dy, flippedTransposedWeight(w, group), undefined, { pads: flipPads, dilations, group });
  }
  const outputPadding = transposeOutputPadding(spatial(x, 'Conv gradient (input)'), spatial(dy, 'Conv gradient (output)'), kernel, strides, pads, dilations);
  return b.convTranspose(dy, w, { strides, pads, dilations, group, outputPadding });
}

/** x [N, C, H, W] with the spatial axes (at `h`, `h + 1`) zero-padded by [top, left, bottom, right]. */
function padSpatial(x: Value, h: number, pads: readonly number[]): Value {
  if (pads.every((p) => p === 0)) return x;
  const all = new Array<number>(2 * x.rank).fill(0);
  all[h] = pads[0]!;
  all[h + 1] = pads[1]!;
  all[h + x.rank] = pads[2]!;
  all[h + 1 + x.rank] = pads[3]!;
  return b.pad(x, all);
}

interface Offsets {
  /** Kernel offsets (row, column), row-major. */
  list: [number, number][];
  /** The strided window of the padded x that meets dy at offset (a, c), or x itself when it is all of x. */
  slice: (padded: Value, unpadded: Value, a: number, c: number) => Value;
}

function kernelOffsets(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs, h: number): Offsets {
  const { strides: s, pads, dilations: d } = attrs;
  const [inH, inW] = b.staticShape(x.shape.slice(h, h + 2), 'Conv gradient (input)') as [number, number];
  const [ho, wo] = spatial(dy, 'Conv gradient (output)');
  const list: [number, number][] = [];
  for (let a = 0; a < kernel[0]!; a++) for (let c = 0; c < kernel[1]!; c++) list.push([a, c]);
  const slice = (padded: Value, unpadded: Value, a: number, c: number): Value => {
    const [r0, c0] = [a * d[0]!, c * d[1]!];
    if (s[0] === 1 && s[1] === 1 && r0 === pads[0] && c0 === pads[1] && ho === inH && wo === inW) return unpadded;
    return b.slice(padded, [r0, c0], [r0 + s[0]! * (ho - 1) + 1, c0 + s[1]! * (wo - 1) + 1], [h, h + 1], s);
  };
  return { list, slice };
}

/** [kh*kw] products of shape [F, C] (row-major offsets) -> [F, C, kh, kw]. */
function stackOffsets(parts: readonly Value[], kernel: readonly number[]): Value {
  const [f, c] = b.staticShape(parts[0]!.shape, 'Conv gradient (weight)') as [number, number];
  if (parts.length === 1) return b.reshape(parts[0]!, [f, c, kernel[0]!, kernel[1]!]);
  const stacked = b.concat(parts.map((p) => b.reshape(p, [f, c, 1])), 2);
  return b.reshape(stacked, [f, c, kernel[0]!, kernel[1]!]);
}

/**
 * dw for group 1, x in NHWC: per offset k, dw_k [F, C] = sum_n dy[n] [F, L] @ x_k[n] [L, C] as one batched
 * MatMul and a ReduceSum over n. dy is used as is; x is transposed once, and its NHWC slices copy runs
 * of Wo*C contiguous values.
 */
export function weightGradNhwc(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const c = b.staticShape(x.shape.slice(1, 2), 'Conv gradient (channels)')[0]!;
  const f = b.staticShape(dy.shape.slice(1, 2), 'Conv gradient (channels)')[0]!;
  const xn = b.transpose(x, [0, 2, 3, 1]);
  const padded = padSpatial(xn, 1, attrs.pads);
  const dyr = b.reshape(dy, [0, f, -1]);
  const offsets = kernelOffsets(xn, dy, kernel, attrs, 1);
  const parts = offsets.list.map(([a, k]) => b.reduceSum(b.matmul(dyr, b.reshape(offsets.slice(padded, xn, a, k), [0, -1, c])), [0]));
  return stackOffsets(parts, kernel);
}

/**
 * dw for any group, x in NCHW: per offset k, dw_k [g, Fg, Cg] = sum_n dy[n, g] [Fg, L] @ x_k[n, g]^T [L, Cg]
 * as one batched MatMul over [N, g] and a ReduceSum over n.
 */
export function weightGradGrouped(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const { group } = attrs;
  const c = b.staticShape(x.shape.slice(1, 2), 'Conv gradient (channels)')[0]!;
  const f = b.staticShape(dy.shape.slice(1, 2), 'Conv gradient (channels)')[0]!;
  const padded = padSpatial(x, 2, attrs.pads);
  const dyg = b.reshape(dy, [0, group, f / group, -1]);
  const offsets = kernelOffsets(x, dy, kernel, attrs, 2);
  const parts = offsets.list.map(([a, k]) => {
    const xk = b.transpose(b.reshape(offsets.slice(padded, x, a, k), [0, group, c / group, -1]), [0, 1, 3, 2]);
    return b.reshape(b.reduceSum(b.matmul(dyg, xk), [0]), [f, c / group]);
  });
  return stackOffsets(parts, kernel);
}

/** dw of y = Conv(x, w) with `attrs`, w of spatial size `kernel`: the fastest measured form for the case. */
export function convWeightGrad(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  return attrs.group === 1 ? weightGradNhwc(x, dy, kernel, attrs) : weightGradGrouped(x, dy, kernel, attrs);
}
