// The ONNX ops the builder emits and their attributes (opset 18), one entry per op type.
// Constant operands that ONNX passes as inputs (axes, shapes, slice bounds) stay inputs here too.

type Empty = Record<string, never>;

export interface ConvAttrs {
  strides: number[];
  pads: number[]; // [top, left, bottom, right]
  dilations: number[];
  group: number;
}

export interface ConvTransposeAttrs extends ConvAttrs {
  output_padding: number[];
}

export interface PoolAttrs {
  kernel_shape: number[];
  strides: number[];
  pads: number[];
}

export interface OpAttrs {
  // elementwise
  Add: Empty; Sub: Empty; Mul: Empty; Div: Empty; Pow: Empty; Max: Empty; Min: Empty;
  Neg: Empty; Exp: Empty; Log: Empty; Sqrt: Empty; Abs: Empty; Reciprocal: Empty;
  Relu: Empty; Sigmoid: Empty; Tanh: Empty; Identity: Empty; Sign: Empty; Floor: Empty;
  Equal: Empty; Less: Empty; Greater: Empty; Not: Empty; And: Empty; Where: Empty;
  Cast: { to: number };
  Clip: Empty;
  HardSigmoid: { alpha: number; beta: number };
  HardSwish: Empty;
  // linear algebra
  MatMul: Empty;
  Gemm: { alpha: number; beta: number; transA: 0 | 1; transB: 0 | 1 };
  // convolution and pooling
  Conv: ConvAttrs;
  ConvTranspose: ConvTransposeAttrs;
  MaxPool: PoolAttrs;
  MaxUnpool: PoolAttrs;
  AveragePool: PoolAttrs & { count_include_pad: 0 | 1 };
  GlobalAveragePool: Empty;
  BatchNormalization: { epsilon: number; momentum: number; training_mode: 0 | 1 };
  // reductions (axes is the second input since opset 18)
  ReduceSum: { keepdims: 0 | 1 };
  ReduceMean: { keepdims: 0 | 1 };
  ReduceMax: { keepdims: 0 | 1 };
  ReduceL2: { keepdims: 0 | 1 };
  ReduceSumSquare: { keepdims: 0 | 1 };
  ArgMax: { axis: number; keepdims: 0 | 1 };
  Softmax: { axis: number };
  LogSoftmax: { axis: number };
  // shapes and indexing
  Reshape: Empty;
  Flatten: { axis: number };
  Transpose: { perm: number[] };
  Concat: { axis: number };
  Slice: Empty;
  Squeeze: Empty;
  Unsqueeze: Empty;
  Expand: Empty;
  Shape: Empty;
  Pad: { mode: 'constant' | 'reflect' | 'edge' };
  Gather: { axis: number };
  ScatterElements: { axis: number; reduction: 'none' | 'add' };
  GatherElements: { axis: number };
  // ONNX Runtime's CPU build only (domain com.microsoft.nchwc): for its lowering pass, never in a portable
  // graph (src/runtime/cpu_lowering.ts). x in the blocked layout [N, C/B, H, W, B], held as [N, C, H, W].
  ReorderInput: { channels_last: 0 | 1 };
  ReorderOutput: { channels: number; channels_last: 0 | 1 };
  NchwcConv: ConvAttrs & { kernel_shape: number[] };
  // Composite ops (ops/composite.ts): gradient kernels that autodiff rules emit as one node with a
  // portable expansion into the ops above, so that an execution provider's lowering pass can put its
  // own in their place. Never serialised as such.
  MaxPoolGrad: PoolAttrs;
  ConvWeightGrad: ConvAttrs & { kernel_shape: number[] };
  FlippedWeight: { group: number };
}

export const COMPOSITE_OPS = ['MaxPoolGrad', 'ConvWeightGrad', 'FlippedWeight'] as const;
export type CompositeOp = (typeof COMPOSITE_OPS)[number];

/** Ops outside the default ai.onnx domain: their domain and their op type there. */
export const OP_DOMAINS: Partial<Record<keyof OpAttrs, { domain: string; opType: string }>> = {
  ReorderInput: { domain: 'com.microsoft.nchwc', opType: 'ReorderInput' },
  ReorderOutput: { domain: 'com.microsoft.nchwc', opType: 'ReorderOutput' },
  NchwcConv: { domain: 'com.microsoft.nchwc', opType: 'Conv' },
};

export type OpType = keyof OpAttrs;
