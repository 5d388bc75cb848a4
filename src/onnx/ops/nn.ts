// Convolution, pooling and inference-mode batch normalisation (NCHW, 2-D).

import { fromNumbers } from '../dtype.ts';
import type { Value } from '../graph.ts';
import type { ConvAttrs, PoolAttrs } from '../op_types.ts';
import { type Dim, ShapeError, formatShape } from '../shape.ts';
import { emit } from './common.ts';

export interface ConvOptions {
  strides?: number[];
  pads?: number[]; // [top, left, bottom, right]
  dilations?: number[];
  group?: number;
}

function spatialOut(d: Dim, k: number, stride: number, padBegin: number, padEnd: number, dilation: number): Dim {
  if (typeof d !== 'number') throw new ShapeError(`spatial dims must be static, got ${d}`);
  const out = Math.floor((d + padBegin + padEnd - dilation * (k - 1) - 1) / stride) + 1;
  if (out < 1) throw new ShapeError(`spatial size ${d} too small for kernel ${k}`);
  return out;
}

export function convAttrs(options: ConvOptions): ConvAttrs {
  return {
    strides: options.strides ?? [1, 1],
    pads: options.pads ?? [0, 0, 0, 0],
    dilations: options.dilations ?? [1, 1],
    group: options.group ?? 1,
  };
}

/** x [N, Cin, H, W], w [Cout, Cin/group, kH, kW], b [Cout] -> [N, Cout, Ho, Wo]. */
export function conv(x: Value, w: Value, b: Value | undefined, options: ConvOptions = {}): Value {
  const attrs = convAttrs(options);
  return emit(x.graph, 'Conv', [x, w, b], attrs, () => {
    if (x.rank !== 4 || w.rank !== 4) throw new ShapeError(`expects rank-4 x and w, got ${formatShape(x.shape)} and ${formatShape(w.shape)}`);
    const [kh, kw] = [w.shape[2] as number, w.shape[3] as number];
    const cin = x.shape[1];
    if (typeof cin === 'number' && cin !== (w.shape[1] as number) * attrs.group) {
      throw new ShapeError(`x has ${cin} channels, w ${formatShape(w.shape)} with group ${attrs.group} expects ${(w.shape[1] as number) * attrs.group}`);
    }
    const [s0, s1] = attrs.strides as [number, number];
    const [p0, p1, p2, p3] = attrs.pads as [number, number, number, number];
    const [d0, d1] = attrs.dilations as [number, number];
    return {
      dtype: x.dtype,
      shape: [x.shape[0]!, w.shape[0]!, spatialOut(x.shape[2]!, kh, s0, p0, p2, d0), spatialOut(x.shape[3]!, kw, s1, p1, p3, d1)],
    };
  });
}

/** Transposed convolution: x [N, Cin, H, W], w [Cin, Cout/group, kH, kW] -> [N, Cout, Ho, Wo]. */
export function convTranspose(x: Value, w: Value, options: ConvOptions & { outputPadding?: number[] } = {}): Value {
  const attrs = { ...convAttrs(options), output_padding: options.outputPadding ?? [0, 0] };
  return emit(x.graph, 'ConvTranspose', [x, w], attrs, () => {
    const size = (d: Dim, i: 0 | 1): number => {
      if (typeof d !== 'number') throw new ShapeError(`spatial dims must be static, got ${d}`);
      const k = w.shape[2 + i] as number;
      return attrs.strides[i]! * (d - 1) + attrs.output_padding[i]! + (k - 1) * attrs.dilations[i]! + 1 - attrs.pads[i]! - attrs.pads[i + 2]!;
    };
    return { dtype: x.dtype, shape: [x.shape[0]!, (w.shape[1] as number) * attrs.group, size(x.shape[2]!, 0), size(x.shape[3]!, 1)] };
  });
}

export interface PoolOptions {
  kernel: number[];
  strides?: number[];
  pads?: number[];
}

function poolAttrs(o: PoolOptions): PoolAttrs {
  return { kernel_shape: o.kernel, strides: o.strides ?? o.kernel, pads: o.pads ?? [0, 0, 0, 0] };
}

function poolShape(x: Value, a: PoolAttrs): Dim[] {
  if (x.rank !== 4) throw new ShapeError(`expects rank-4 input, got ${formatShape(x.shape)}`);
  return [
    x.shape[0]!,
    x.shape[1]!,
    spatialOut(x.shape[2]!, a.kernel_shape[0]!, a.strides[0]!, a.pads[0]!, a.pads[2]!, 1),
    spatialOut(x.shape[3]!, a.kernel_shape[1]!, a.strides[1]!, a.pads[1]!, a.pads[3]!, 1),
  ];
}

export function maxPool(x: Value, options: PoolOptions): Value {
  const attrs = poolAttrs(options);
  return emit(x.graph, 'MaxPool', [x], attrs, () => ({ dtype: x.dtype, shape: poolShape(x, attrs) }));
}

/** MaxPool's second output: the flat (N*C*H*W row-major) index of each maximum, for its gradient. */
export function maxPoolWithIndices(x: Value, options: PoolOptions): [Value, Value] {
  const attrs = poolAttrs(options);
  const shape = poolShape(x, attrs);
  const [y, idx] = x.graph.addNode('MaxPool', [x], attrs, [{ dtype: x.dtype, shape }, { dtype: 'int64', shape }]);
  return [y!, idx!];
}

/**
 * MaxPool's partial inverse: an `outputShape` tensor of zeros with y[i] written at the flat position
 * indices[i] (MaxPool's Indices). Later writes win, so it is MaxPool's gradient only where windows
 * do not overlap.
 */
export function maxUnpool(y: Value, indices: Value, outputShape: readonly number[], options: PoolOptions): Value {
  const attrs = poolAttrs(options);
  return emit(y.graph, 'MaxUnpool', [y, indices, y.graph.ints(outputShape)], attrs, () => ({ dtype: y.dtype, shape: [...outputShape] }));
}

/** Average pooling; padding counts as zeros when `countIncludePad` (PyTorch's default). */
export function averagePool(x: Value, options: PoolOptions & { countIncludePad?: boolean }): Value {
  const attrs = { ...poolAttrs(options), count_include_pad: options.countIncludePad === false ? 0 : 1 } as const;
  return emit(x.graph, 'AveragePool', [x], attrs, () => ({ dtype: x.dtype, shape: poolShape(x, attrs) }));
}

/** [N, C, H, W] -> [N, C, 1, 1]. */
export function globalAveragePool(x: Value): Value {
  return emit(x.graph, 'GlobalAveragePool', [x], {}, () => {
    if (x.rank !== 4) throw new ShapeError(`expects rank-4 input, got ${formatShape(x.shape)}`);
    return { dtype: x.dtype, shape: [x.shape[0]!, x.shape[1]!, 1, 1] };
  });
}

/** Inference-mode batch norm with running statistics (y = (x - mean) / sqrt(var + eps) * scale + bias). */
export function batchNormInference(x: Value, scale: Value, bias: Value, mean: Value, variance: Value, epsilon = 1e-5): Value {
  return emit(x.graph, 'BatchNormalization', [x, scale, bias, mean, variance], { epsilon, momentum: 0.9, training_mode: 0 }, () => ({
    dtype: x.dtype,
    shape: x.shape,
  }));
}

/**
 * scale[c] * x + bias[c] per channel c (axis 1) in one op: an inference-mode BatchNormalization with mean
 * 0, variance 1 and epsilon 0, which every execution provider runs as a single fused pass.
 */
export function channelAffine(x: Value, scale: Value, bias: Value): Value {
  const g = x.graph;
  const channels = scale.shape[0];
  if (scale.rank !== 1 || typeof channels !== 'number') throw new ShapeError(`channelAffine: scale must be [C], got ${formatShape(scale.shape)}`);
  const filled = (v: number): Value => g.constant(fromNumbers(x.dtype, new Array<number>(channels).fill(v)), x.dtype, [channels]);
  const [zeros, ones] = [filled(0), filled(1)];
  return batchNormInference(x, scale, bias, zeros, ones, 0);
}
