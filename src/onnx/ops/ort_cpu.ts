// Ops that only ONNX Runtime's CPU build has (domain com.microsoft.nchwc), for its lowering pass: never
// in a portable graph. Its blocked layout holds x [N, C, H, W] as [N, C/B, H, W, B] (B = 8 on AVX2, 16
// on AVX-512) in a tensor whose declared shape stays [N, C, H, W]; C must be a multiple of B here.

import type { Value } from '../graph.ts';
import type { ConvAttrs } from '../op_types.ts';
import { ShapeError, formatShape } from '../shape.ts';
import { emit } from './common.ts';

/** NCHW -> the blocked layout. */
export function reorderInput(x: Value): Value {
  return emit(x.graph, 'ReorderInput', [x], { channels_last: 0 }, () => {
    if (x.rank !== 4) throw new ShapeError(`expects rank 4, got ${formatShape(x.shape)}`);
    return { dtype: x.dtype, shape: x.shape };
  });
}

/** The blocked layout -> NCHW with `channels` channels. */
export function reorderOutput(x: Value, channels: number): Value {
  return emit(x.graph, 'ReorderOutput', [x], { channels, channels_last: 0 }, () => ({ dtype: x.dtype, shape: x.shape }));
}

/**
 * Conv on blocked x with a filter in the order [O/B, C/B, kH, kW, C%B, O%B] (held as [O, C, kH, kW]);
 * the output is blocked. `shape` is the NCHW output shape of the Conv it replaces.
 */
export function nchwcConv(x: Value, w: Value, bias: Value | undefined, attrs: ConvAttrs, shape: Value['shape']): Value {
  const kernel = w.shape.slice(2);
  if (!kernel.every((k): k is number => typeof k === 'number')) throw new ShapeError(`static kernel needed, got ${formatShape(w.shape)}`);
  return emit(x.graph, 'NchwcConv', [x, w, bias], { ...attrs, kernel_shape: kernel }, () => ({ dtype: x.dtype, shape }));
}
