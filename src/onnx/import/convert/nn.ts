// Convolution, pooling, batch normalisation, matrix products and reductions (2-D NCHW, as the builder).

import * as b from '../../index.ts';
import type { Value } from '../../index.ts';
import type { NodeContext } from '../context.ts';
import type { Converter } from './types.ts';

/** x's static spatial dims, for ops that need them at build time. */
function spatial(c: NodeContext, x: Value): [number, number] {
  if (x.rank !== 4) c.fail(`only 2-D (rank-4, NCHW) inputs are supported, got ${b.formatShape(x.shape)}`);
  const [h, w] = [x.shape[2], x.shape[3]];
  if (typeof h !== 'number' || typeof w !== 'number') c.fail(`needs static spatial dims, got ${b.formatShape(x.shape)}`);
  return [h, w];
}

function pair(c: NodeContext, name: string, fallback: number): number[] {
  const v = c.intList(name) ?? [fallback, fallback];
  if (v.length !== 2) c.fail(`attribute ${name}=[${v.join(', ')}] is not 2-D`);
  return v;
}

/** Pads [top, left, bottom, right] from `pads` or `auto_pad` (SAME_UPPER puts the odd one at the end). */
function spatialPads(c: NodeContext, x: Value, kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const autoPad = c.string('auto_pad', 'NOTSET');
  const pads = c.intList('pads');
  if (autoPad === 'NOTSET') {
    if (pads && pads.length !== 4) c.fail(`attribute pads=[${pads.join(', ')}] is not 2-D`);
    return pads ?? [0, 0, 0, 0];
  }
  if (pads) c.fail('has both pads and auto_pad');
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') c.fail(`attribute auto_pad=${autoPad} is not supported`);
  const size = spatial(c, x);
  const [begin, end] = [[0, 0], [0, 0]];
  for (const i of [0, 1]) {
    const total = Math.max((Math.ceil(size[i]! / strides[i]!) - 1) * strides[i]! + (kernel[i]! - 1) * dilations[i]! + 1 - size[i]!, 0);
    const [small, big] = [Math.floor(total / 2), total - Math.floor(total / 2)];
    [begin[i], end[i]] = autoPad === 'SAME_UPPER' ? [small, big] : [big, small];
  }
  return [...begin, ...end];
}

function kernelOf(c: NodeContext, w: Value): number[] {
  const kernel = b.staticShape(w.shape.slice(2), 'kernel');
  const given = c.intList('kernel_shape');
  if (given && given.join() !== kernel.join()) c.fail(`kernel_shape [${given.join(', ')}] differs from the weight's [${kernel.join(', ')}]`);
  return kernel;
}

const conv: Converter = (c) => {
  const [x, w] = [c.value(0), c.value(1)];
  spatial(c, x);
  const kernel = kernelOf(c, w);
  const [strides, dilations] = [pair(c, 'strides', 1), pair(c, 'dilations', 1)];
  const pads = spatialPads(c, x, kernel, strides, dilations);
  return [b.conv(x, w, c.optionalValue(2), { strides, pads, dilations, group: c.int('group', 1) })];
};

const convTranspose: Converter = (c) => {
  const [x, w] = [c.value(0), c.value(1)];
  spatial(c, x);
  kernelOf(c, w);
  if (c.intList('output_shape')) c.fail('attribute output_shape is not supported (give pads and output_padding)');
  if (c.string('auto_pad', 'NOTSET') !== 'NOTSET') c.fail('attribute auto_pad is not supported on ConvTranspose');
  const group = c.int('group', 1);
  const y = b.convTranspose(x, w, {
    strides: pair(c, 'strides', 1), pads: c.intList('pads') ?? [0, 0, 0, 0], dilations: pair(c, 'dilations', 1), group, outputPadding: pair(c, 'output_padding', 0),
  });
  const bias = c.optionalValue(2);
  return [bias ? b.add(y, b.reshape(bias, [1, -1, 1, 1])) : y];
};

/** Pooling geometry; ceil_mode is taken where it gives the same output size as floor (it rounds up only then). */
function poolOptions(c: NodeContext, x: Value): { kernel: number[]; strides: number[]; pads: number[] } {
  const size = spatial(c, x);
  const kernel = c.intList('kernel_shape');
  if (!kernel || kernel.length !== 2) c.fail('needs a 2-D kernel_shape');
  const strides = pair(c, 'strides', 1);
  const dilations = pair(c, 'dilations', 1);
  if (dilations.some((d) => d !== 1)) c.fail(`attribute dilations=[${dilations.join(', ')}] is not supported`);
  const pads = spatialPads(c, x, kernel, strides, dilations);
  if (c.int('ceil_mode', 0) === 1) {
    const rounded = [0, 1].map((i) => (size[i]! + pads[i]! + pads[i + 2]! - kernel[i]!) / strides[i]!);
    if (rounded.some((r) => !Number.isInteger(r))) c.fail('attribute ceil_mode=1 rounds an output size up here, which is not supported');
  }
  return { kernel, strides, pads };
}

const maxPool: Converter = (c) => {
  const x = c.value(0);
  if (c.node.outputs[1]) c.fail('its Indices output is not supported');
  c.expect('storage_order', 0, 'row-major only');
  return [b.maxPool(x, poolOptions(c, x))];
};

const averagePool: Converter = (c) => {
  const x = c.value(0);
  return [b.averagePool(x, { ...poolOptions(c, x), countIncludePad: c.int('count_include_pad', 0) === 1 })];
};

const batchNormalization: Converter = (c) => {
  c.expect('training_mode', 0, 'the model was exported in training mode: export it in eval mode (model.eval())');
  if (c.node.outputs.slice(1).some((o) => o !== '')) c.fail('its running mean and variance outputs are not supported');
  const attrs = { epsilon: c.float('epsilon', 1e-5), momentum: c.float('momentum', 0.9) };
  return [c.env.batchNorm(c.value(0), { scale: c.value(1), bias: c.value(2), mean: c.value(3), variance: c.value(4) }, attrs)];
};

const gemm: Converter = (c) => [
  b.gemm(c.value(0), c.value(1), c.optionalValue(2), { alpha: c.float('alpha', 1), beta: c.float('beta', 1), transA: c.int('transA', 0) === 1, transB: c.int('transB', 0) === 1 }),
];

type Reduction = (x: Value, axes: readonly number[], keepdims: boolean) => Value;

/** Reduce* in the opset-18 form (axes as an input; opset.ts moves older models' attribute there). */
function reduce(emit: Reduction): Converter {
  return (c) => {
    const x = c.value(0);
    const axes = c.has(1) ? c.ints(1, 'axes') : [];
    const keepdims = c.int('keepdims', 1) === 1;
    if (axes.length === 0 && c.int('noop_with_empty_axes', 0) === 1) return [x];
    return [emit(x, axes, keepdims)];
  };
}

export const NN: Readonly<Record<string, Converter>> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: (c) => [b.globalAveragePool(c.value(0))],
  GlobalMaxPool: (c) => {
    const x = c.value(0);
    return [b.reduceMax(x, x.shape.map((_, i) => i).slice(2), true)];
  },
  BatchNormalization: batchNormalization,
  Gemm: gemm,
  MatMul: (c) => [b.matmul(c.value(0), c.value(1))],
  ReduceSum: reduce(b.reduceSum),
  ReduceMean: reduce(b.reduceMean),
  ReduceMax: reduce(b.reduceMax),
  ReduceL2: reduce(b.reduceL2),
  ReduceSumSquare: reduce(b.reduceSumSquare),
  ArgMax: (c) => {
    c.expect('select_last_index', 0, 'the first maximum only');
    return [b.argMax(c.value(0), c.int('axis', 0), c.int('keepdims', 1) === 1)];
  },
};
