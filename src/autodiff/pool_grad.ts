// Geometry shared by the pooling and convolution gradients (2-D, NCHW, pads [top, left, bottom, right]),
// and the window unfold / fold pair of MaxPool's gradient.

import * as b from '../onnx/index.ts';
import type { Value } from '../onnx/index.ts';
import { reshapeAs } from './helpers.ts';

/**
 * ConvTranspose output_padding that maps an output of spatial size `out` back to exactly `input`:
 * input + pad_begin + pad_end - (stride * (out - 1) + dilation * (k - 1) + 1), per axis, always < stride.
 */
export function transposeOutputPadding(
  input: readonly number[], out: readonly number[], kernel: readonly number[],
  strides: readonly number[], pads: readonly number[], dilations: readonly number[],
): number[] {
  return [0, 1].map((i) =>
    input[i]! + pads[i]! + pads[i + 2]! - (strides[i]! * (out[i]! - 1) + dilations[i]! * (kernel[i]! - 1) + 1));
}

/** Elements of each pooling window that lie inside the unpadded input, row-major [Ho, Wo]. */
export function windowCounts(
  input: readonly number[], out: readonly number[], kernel: readonly number[],
  strides: readonly number[], pads: readonly number[],
): number[] {
  const along = (i: number): number[] => Array.from({ length: out[i]! }, (_, q) => {
    const start = q * strides[i]! - pads[i]!;
    return Math.min(start + kernel[i]!, input[i]!) - Math.max(start, 0);
  });
  const rows = along(0);
  const cols = along(1);
  return rows.flatMap((r) => cols.map((c) => r * c));
}

/** Static window geometry per spatial axis. */
interface Windows {
  k: number[];
  s: number[];
  /** Input size H. */
  size: number[];
  /** Output size Ho. */
  out: number[];
  /** A = ceil(k / s) blocks of s kernel offsets. */
  blocks: number[];
  /** Padded length holding every block ([a*s, a*s + Ho*s)) and the whole padded input. */
  len: number[];
}

function windows(x: Value, kernel: readonly number[], strides: readonly number[], pads: readonly number[]): Windows {
  const [h, w] = [x.shape[2], x.shape[3]];
  if (typeof h !== 'number' || typeof w !== 'number') throw new Error(`pooling windows need static spatial dims, got ${b.formatShape(x.shape)}`);
  const k = [kernel[0]!, kernel[1]!];
  const s = [strides[0]!, strides[1]!];
  const size = [h, w];
  const out = [0, 1].map((i) => Math.floor((size[i]! + pads[i]! + pads[i + 2]! - k[i]!) / s[i]!) + 1);
  const blocks = [0, 1].map((i) => Math.ceil(k[i]! / s[i]!));
  const len = [0, 1].map((i) => Math.max((blocks[i]! - 1) * s[i]! + out[i]! * s[i]!, size[i]! + pads[i]! + pads[i + 2]!));
  return { k, s, size, out, blocks, len };
}

/**
 * The values under every pooling window: x [N, C, H, W] -> [N*C, kH*kW, Ho, Wo], offset k of window q
 * holding xpad[s*q + k] (padding reads 0). Offsets k = a*s + r are taken in blocks a of s offsets:
 * inside a block windows do not overlap, so one Reshape + Transpose lays them out. Small axes (offsets)
 * stay outside the spatial ones: ORT's CPU Concat, Slice and Pad are slow on tiny innermost axes.
 */
export function unfoldWindows(x: Value, kernel: readonly number[], strides: readonly number[], pads: readonly number[]): Value {
  const { k, s, size, out, blocks, len } = windows(x, kernel, strides, pads);
  const ends = [0, 1].map((i) => len[i]! - size[i]! - pads[i]!);
  const xpad = [pads[0]!, pads[1]!, ...ends].some((p) => p !== 0) ? b.pad(x, [0, 0, pads[0]!, pads[1]!, 0, 0, ends[0]!, ends[1]!]) : x;
  const rows: Value[] = [];
  for (let a = 0; a < blocks[0]!; a++) {
    const cols: Value[] = [];
    for (let d = 0; d < blocks[1]!; d++) {
      const starts = [a * s[0]!, d * s[1]!];
      const stops = [0, 1].map((i) => starts[i]! + out[i]! * s[i]!);
      const part = a + d === 0 && stops[0] === len[0] && stops[1] === len[1] ? xpad : b.slice(xpad, starts, stops, [2, 3]); // [N, C, Ho*sH, Wo*sW]
      cols.push(b.transpose(b.reshape(part, [-1, out[0]!, s[0]!, out[1]!, s[1]!]), [0, 2, 4, 1, 3])); // [N*C, sH, sW, Ho, Wo]
    }
    rows.push(cols.length > 1 ? b.concat(cols, 2) : cols[0]!);
  }
  let all = rows.length > 1 ? b.concat(rows, 1) : rows[0]!; // [N*C, A*sH, A*sW, Ho, Wo]
  if (blocks[0]! * s[0]! > k[0]! || blocks[1]! * s[1]! > k[1]!) all = b.slice(all, [0, 0], k, [1, 2]);
  return b.reshape(all, [-1, k[0]! * k[1]!, out[0]!, out[1]!]);
}

/** 1 where offset k of window q lies inside the unpadded input, else 0: [kH*kW, Ho, Wo] in x's dtype; none when all do. */
export function windowsInside(x: Value, kernel: readonly number[], strides: readonly number[], pads: readonly number[]): Value | undefined {
  const { k, s, size, out } = windows(x, kernel, strides, pads);
  const at = (i: number, q: number, o: number): boolean => {
    const p = s[i]! * q + o - pads[i]!;
    return p >= 0 && p < size[i]!;
  };
  const mask: number[] = [];
  for (let o = 0; o < k[0]! * k[1]!; o++) {
    for (let qh = 0; qh < out[0]!; qh++) {
      for (let qw = 0; qw < out[1]!; qw++) mask.push(at(0, qh, Math.floor(o / k[1]!)) && at(1, qw, o % k[1]!) ? 1 : 0);
    }
  }
  return mask.every((m) => m === 1) ? undefined : x.graph.constant(b.fromNumbers(x.dtype, mask), x.dtype, [k[0]! * k[1]!, out[0]!, out[1]!]);
}

/**
 * The adjoint of `unfoldWindows` (col2im): cols [N*C, kH*kW, Ho, Wo] summed into [N, C, H, W] (the shape
 * of `like`) at x[s*q + k - pad]; overlapping windows add up. Pad, Slice, Transpose, Reshape, Add only:
 * no index tensor is needed (WebGPU's MaxPool cannot output one) and the sums have a fixed order.
 */
export function foldWindows(cols: Value, like: Value, kernel: readonly number[], strides: readonly number[], pads: readonly number[]): Value {
  const { k, s, size, out, blocks, len } = windows(like, kernel, strides, pads);
  let g = b.reshape(cols, [-1, k[0]!, k[1]!, out[0]!, out[1]!]); // [N*C, kH, kW, Ho, Wo]
  const extra = [0, 1].map((i) => blocks[i]! * s[i]! - k[i]!);
  if (extra[0]! > 0 || extra[1]! > 0) g = b.pad(g, [0, 0, 0, 0, 0, 0, extra[0]!, extra[1]!, 0, 0]);
  let sum: Value | undefined;
  for (let a = 0; a < blocks[0]!; a++) {
    for (let d = 0; d < blocks[1]!; d++) {
      let block = blocks[0]! * blocks[1]! > 1 ? b.slice(g, [a * s[0]!, d * s[1]!], [(a + 1) * s[0]!, (d + 1) * s[1]!], [1, 2]) : g;
      block = b.reshape(b.transpose(block, [0, 3, 1, 4, 2]), [-1, out[0]! * s[0]!, out[1]! * s[1]!]); // [N*C, Ho*sH, Wo*sW]
      const place = [0, a * s[0]!, d * s[1]!, 0, len[0]! - a * s[0]! - out[0]! * s[0]!, len[1]! - d * s[1]! - out[1]! * s[1]!];
      if (place.some((p) => p !== 0)) block = b.pad(block, place);
      sum = sum ? b.add(sum, block) : block;
    }
  }
  const whole = len[0] === size[0] && len[1] === size[1];
  const cropped = whole ? sum! : b.slice(sum!, [pads[0]!, pads[1]!], [pads[0]! + size[0]!, pads[1]! + size[1]!], [1, 2]);
  return reshapeAs(cropped, like);
}
