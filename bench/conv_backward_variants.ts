// Conv weight-gradient formulations that bench/conv_backward.ts compares with the three the Conv rule
// uses (src/autodiff/conv_grad.ts: batched per-offset MatMuls, per-offset MatMuls over the whole batch,
// one Conv over the batch). Group 1, NCHW, 2-D; every function returns dw [F, C, kh, kw].
//
// dw[f, c, a, k] = sum_{n, i, j} dy[n, f, i, j] xpad[n, c, s*i + d*a, s*j + d*k]

import * as b from '../src/onnx/index.ts';
import type { Value } from '../src/onnx/index.ts';
import type { ConvAttrs } from '../src/onnx/op_types.ts';

const dims = (v: Value): number[] => b.staticShape(v.shape, 'bench').map(Number);

function padSpatial(x: Value, h: number, pads: readonly number[]): Value {
  if (pads.every((p) => p === 0)) return x;
  const all = new Array<number>(2 * x.rank).fill(0);
  all[h] = pads[0]!;
  all[h + 1] = pads[1]!;
  all[h + x.rank] = pads[2]!;
  all[h + 1 + x.rank] = pads[3]!;
  return b.pad(x, all);
}

/** Strided window of a padded tensor (spatial axes h, h + 1) that meets dy at kernel offset (a, k). */
function window(padded: Value, h: number, a: number, k: number, dy: Value, attrs: ConvAttrs): Value {
  const [, , ho, wo] = dims(dy);
  const { strides: s, dilations: d } = attrs;
  const [r0, c0] = [a * d[0]!, k * d[1]!];
  return b.slice(padded, [r0, c0], [r0 + s[0]! * (ho! - 1) + 1, c0 + s[1]! * (wo! - 1) + 1], [h, h + 1], s);
}

function offsets(kernel: readonly number[]): [number, number][] {
  const list: [number, number][] = [];
  for (let a = 0; a < kernel[0]!; a++) for (let k = 0; k < kernel[1]!; k++) list.push([a, k]);
  return list;
}

/** kk products [F, C] -> [F, C, kh, kw]. */
function stack(parts: readonly Value[], kernel: readonly number[]): Value {
  const [f, c] = dims(parts[0]!);
  return b.reshape(b.concat(parts.map((p) => b.reshape(p, [f!, c!, 1])), 2), [f!, c!, kernel[0]!, kernel[1]!]);
}

/**
 * Per-offset GEMMs over channel-first layouts: x and dy transposed once to [C, N, H, W] / [F, N*L], then
 * per offset dw_k = Gemm(dy^T [F, N*L], x_k [C, N*L], transB) (DESIGN.md's "9 per-offset GEMMs").
 */
export function perOffsetGemmChannelFirst(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [, c] = dims(x);
  const f = dims(dy)[1]!;
  const xt = padSpatial(b.transpose(x, [1, 0, 2, 3]), 2, attrs.pads);
  const dyt = b.reshape(b.transpose(dy, [1, 0, 2, 3]), [f, -1]);
  const parts = offsets(kernel).map(([a, k]) => b.gemm(dyt, b.reshape(window(xt, 2, a, k, dy, attrs), [c!, -1]), undefined, { transB: true }));
  return stack(parts, kernel);
}

/**
 * Batched over n with NHWC windows: per offset dw_k = sum_n dy[n] [F, L] @ x_k[n] [L, C]; dy is used as is,
 * x is transposed once and its NHWC windows copy runs of Wo*C contiguous values.
 */
export function batchedNhwc(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [, c] = dims(x);
  const f = dims(dy)[1]!;
  const xn = padSpatial(b.transpose(x, [0, 2, 3, 1]), 1, attrs.pads);
  const dyr = b.reshape(dy, [0, f, -1]);
  return stack(offsets(kernel).map(([a, k]) => b.reduceSum(b.matmul(dyr, b.reshape(window(xn, 1, a, k, dy, attrs), [0, -1, c!])), [0])), kernel);
}

/**
 * im2col: the NHWC windows of x side by side, cols [N*L, kh*kw*C], and one product dy^T [F, N*L] @ cols
 * -> [F, kh, kw, C] -> [F, C, kh, kw]. As fast as the rule's per-offset products, with kh*kw copies of x
 * and their concatenation alive at once (ResNet-18, 128 x 2 views: 288 MB at layer3).
 */
export function im2colNhwc(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [, c] = dims(x);
  const f = dims(dy)[1]!;
  const xn = padSpatial(b.transpose(x, [0, 2, 3, 1]), 1, attrs.pads);
  const cols = offsets(kernel).map(([a, k]) => b.reshape(window(xn, 1, a, k, dy, attrs), [-1, c!]));
  const dyT = b.reshape(b.transpose(dy, [1, 0, 2, 3]), [f, -1]);
  const product = b.matmul(dyT, cols.length > 1 ? b.concat(cols, 1) : cols[0]!);
  return b.transpose(b.reshape(product, [f, kernel[0]!, kernel[1]!, c!]), [0, 3, 1, 2]);
}

/**
 * Stride 1 only: offsets as shifts of the flattened padded plane, so that each window is one contiguous
 * run per image (NHWC [N, (Hp+1)*Wp, C], shift a*d*Wp + k*d); dy is zero-padded to Wp columns.
 */
export function flatShiftMatMul(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [n, c, , w] = dims(x);
  const [, f, ho, wo] = dims(dy);
  const { pads, dilations: d } = attrs;
  const wp = w! + pads[1]! + pads[3]!;
  const xn = b.reshape(padSpatial(b.transpose(x, [0, 2, 3, 1]), 1, [pads[0]!, pads[1]!, pads[2]! + 1, pads[3]!]), [n!, -1, c!]);
  const dye = b.reshape(padSpatial(b.transpose(dy, [1, 0, 2, 3]), 2, [0, 0, 0, wp - wo!]), [f!, -1]);
  const run = ho! * wp;
  return stack(offsets(kernel).map(([a, k]) => {
    const s0 = a * d[0]! * wp + k * d[1]!;
    return b.matmul(dye, b.reshape(b.slice(xn, [s0], [s0 + run], [1]), [-1, c!]));
  }), kernel);
}

/**
 * Stride 1 only, NCHW, batched over n: the flattened-plane shift of flatShiftMatMul without any transpose
 * of x (windows are runs of Ho*Wp values per image and channel): MatMul(dy_ext [N, F, Ho*Wp],
 * window^T [N, Ho*Wp, C]) -> [N, F, C], ReduceSum over n.
 */
export function flatShiftBatched(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [n, c, , w] = dims(x);
  const [, f, ho, wo] = dims(dy);
  const { pads, dilations: d } = attrs;
  const wp = w! + pads[1]! + pads[3]!;
  const xp = b.reshape(padSpatial(x, 2, [pads[0]!, pads[1]!, pads[2]! + 1, pads[3]!]), [n!, c!, -1]);
  const dye = b.reshape(padSpatial(dy, 2, [0, 0, 0, wp - wo!]), [n!, f!, -1]);
  const run = ho! * wp;
  return stack(offsets(kernel).map(([a, k]) => {
    const s0 = a * d[0]! * wp + k * d[1]!;
    return b.reduceSum(b.matmul(dye, b.transpose(b.slice(xp, [s0], [s0 + run], [2]), [0, 2, 1])), [0]);
  }), kernel);
}

/**
 * im2col channel-first: x^T [C, N, H, W] (a transpose that moves whole H*W planes), its windows stacked
 * along the rows, cols [kk*C, N*L], and dw = dy^T [F, N*L] @ cols^T (Gemm, transB) -> [F, kk*C].
 */
export function im2colChannelFirst(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [, c] = dims(x);
  const f = dims(dy)[1]!;
  const xt = padSpatial(b.transpose(x, [1, 0, 2, 3]), 2, attrs.pads);
  const dyt = b.reshape(b.transpose(dy, [1, 0, 2, 3]), [f, -1]);
  const windows = offsets(kernel).map(([a, k]) => b.reshape(window(xt, 2, a, k, dy, attrs), [c!, -1]));
  const cols = windows.length > 1 ? b.concat(windows, 0) : windows[0]!;
  const product = b.gemm(dyt, cols, undefined, { transB: true }); // [F, kk*C], columns (offset, c)
  return b.transpose(b.reshape(product, [f, kernel[0]!, kernel[1]!, c!]), [0, 3, 1, 2]);
}

/**
 * Stride 1, dilation 1: the kH x kW offsets split between the operands, so that neither is copied 9
 * times. X3[n, (c, k), i', j] = xpad[n, c, i', j + k] (kW column windows of x over all padded rows) and
 * D3[n, (f, a), i', j] = dy[n, f, i' - a, j] (kH row shifts of dy, zero outside), then
 * dw[f, c, a, k] = sum_n D3[n] [F*kH, Hp*Wo] @ X3[n]^T [Hp*Wo, C*kW]: one batched product with
 * M = F*kH, N = C*kW instead of kH*kW products with N = C.
 */
export function rowShiftProducts(x: Value, dy: Value, kernel: readonly number[], attrs: ConvAttrs): Value {
  const [n, c, h] = dims(x);
  const [, f, ho, wo] = dims(dy);
  const [kh, kw] = kernel as [number, number];
  const hp = h! + attrs.pads[0]! + attrs.pads[2]!;
  const xpad = padSpatial(x, 2, attrs.pads);
  const columns = Array.from({ length: kw }, (_, k) => b.unsqueeze(b.slice(xpad, [k], [k + wo!], [3]), [2])); // [N, C, 1, Hp, Wo]
  const x3 = b.reshape(kw > 1 ? b.concat(columns, 2) : columns[0]!, [n!, c! * kw, hp * wo!]);
  const rows = Array.from({ length: kh }, (_, a) => b.unsqueeze(b.pad(dy, [0, 0, a, 0, 0, 0, kh - 1 - a, 0]), [2])); // [N, F, 1, Hp, Wo]
  const d3 = b.reshape(kh > 1 ? b.concat(rows, 2) : rows[0]!, [n!, f! * kh, hp * wo!]);
  const product = b.reduceSum(b.matmul(d3, b.transpose(x3, [0, 2, 1])), [0]); // [F*kH, C*kW]
  return b.transpose(b.reshape(product, [f!, kh, c!, kw]), [0, 2, 1, 3]);
}
