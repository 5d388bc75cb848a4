// A small network written the way PyTorch's exporter writes MobileNet-like models: a Conv with the
// BatchNorm folded in (its bias an `onnx::Conv_*` initializer), SAME padding, HardSwish, a
// squeeze-excite block with HardSigmoid, Conv biases shared through Identity nodes, pooling, Clip with
// input bounds, a kept BatchNormalization, Reduce with axes as an attribute (before opset 18) or an
// input, `x.view(x.size(0), -1)` as Shape / Gather / Unsqueeze / Concat / Reshape, Split, then the
// classifier Gemm and a Softmax. Input [batch, 3, 12, 12] -> logits [batch, 5], probs.

import { type ModelSpec, type NodeSpec, int64s, scalar, weights, writeModel } from './onnx_writer.ts';

export const FEATURE_DIM = 80;
export const CLASSES = 5;

export function mobileLikeSpec(opset: 14 | 18): ModelSpec {
  const reduceMean: NodeSpec = opset < 18
    ? { op: 'ReduceMean', name: '/pool/ReduceMean', inputs: ['hr'], outputs: ['r'], attrs: { axes: { ints: [2, 3] }, keepdims: { i: 0 } } }
    : { op: 'ReduceMean', name: '/pool/ReduceMean', inputs: ['hr', 'axes23'], outputs: ['r'], attrs: { keepdims: { i: 0 } } };
  const split: NodeSpec = opset < 18
    ? { op: 'Split', name: '/Split', inputs: ['f', 'halves'], outputs: ['f1', 'f2'], attrs: { axis: { i: 1 } } }
    : { op: 'Split', name: '/Split', inputs: ['f'], outputs: ['f1', 'f2'], attrs: { axis: { i: 1 }, num_outputs: { i: 2 } } };
  let seed = 0;
  const w = (dims: number[], scale = 0.5) => weights(dims, ++seed, scale);
  return {
    opset,
    inputs: [{ name: 'input', dims: ['batch', 3, 12, 12] }],
    outputs: [{ name: 'logits', dims: ['batch', CLASSES] }, { name: 'probs', dims: ['batch', CLASSES] }],
    initializers: {
      'stem.0.weight': w([16, 3, 3, 3]),
      'onnx::Conv_101': w([16], 0.1),
      'se.fc1.weight': w([8, 16, 1, 1]),
      'se.fc1.bias': w([8], 0.1),
      'se.fc2.weight': w([16, 8, 1, 1]),
      'shared.bias': w([16], 0.1),
      six: scalar(6),
      'head.conv.weight': w([16, 16, 1, 1]),
      'head.bn.weight': { dims: [16], data: Float32Array.from({ length: 16 }, (_, i) => 0.8 + 0.03 * i) },
      'head.bn.bias': w([16], 0.1),
      'head.bn.running_mean': w([16], 0.2),
      'head.bn.running_var': { dims: [16], data: Float32Array.from({ length: 16 }, (_, i) => 0.6 + 0.05 * i) },
      ...(opset < 18 ? { halves: int64s([80, 80]) } : { axes23: int64s([2, 3]) }),
      zero: { dims: [], data: BigInt64Array.of(0n) },
      minus1: int64s([-1]),
      'fc.weight': w([CLASSES, FEATURE_DIM], 0.2),
      'fc.bias': w([CLASSES], 0.1),
    },
    nodes: [
      { op: 'Conv', name: '/stem/stem.0/Conv', inputs: ['input', 'stem.0.weight', 'onnx::Conv_101'], outputs: ['c0'], attrs: { auto_pad: { s: 'SAME_UPPER' }, strides: { ints: [2, 2] }, kernel_shape: { ints: [3, 3] } } },
      { op: 'HardSwish', name: '/stem/stem.2/HardSwish', inputs: ['c0'], outputs: ['a'] },
      { op: 'GlobalAveragePool', name: '/se/avgpool/GlobalAveragePool', inputs: ['a'], outputs: ['g'] },
      { op: 'Conv', name: '/se/fc1/Conv', inputs: ['g', 'se.fc1.weight', 'se.fc1.bias'], outputs: ['h'], attrs: { kernel_shape: { ints: [1, 1] } } },
      { op: 'Relu', name: '/se/relu/Relu', inputs: ['h'], outputs: ['h2'] },
      { op: 'Identity', name: 'Identity_0', inputs: ['shared.bias'], outputs: ['se.fc2.bias'] },
      { op: 'Conv', name: '/se/fc2/Conv', inputs: ['h2', 'se.fc2.weight', 'se.fc2.bias'], outputs: ['s'] },
      { op: 'HardSigmoid', name: '/se/scale_activation/HardSigmoid', inputs: ['s'], outputs: ['s2'], attrs: { alpha: { f: 1 / 6 }, beta: { f: 0.5 } } },
      { op: 'Mul', name: '/se/Mul', inputs: ['a', 's2'], outputs: ['m'] },
      { op: 'MaxPool', name: '/pool/MaxPool', inputs: ['m'], outputs: ['p1'], attrs: { kernel_shape: { ints: [3, 3] }, strides: { ints: [1, 1] }, pads: { ints: [1, 1, 1, 1] }, ceil_mode: { i: 0 } } },
      { op: 'AveragePool', name: '/pool/AveragePool', inputs: ['p1'], outputs: ['p2'], attrs: { kernel_shape: { ints: [2, 2] }, strides: { ints: [2, 2] }, count_include_pad: { i: 0 } } },
      { op: 'Constant', name: '/pool/Constant', inputs: [], outputs: ['clip_min'], attrs: { value: { t: scalar(0) } } },
      { op: 'Clip', name: '/pool/Clip', inputs: ['p2', 'clip_min', 'six'], outputs: ['c'] },
      { op: 'Identity', name: 'Identity_1', inputs: ['shared.bias'], outputs: ['head.conv.bias'] },
      { op: 'Conv', name: '/head/conv/Conv', inputs: ['c', 'head.conv.weight', 'head.conv.bias'], outputs: ['hc'] },
      { op: 'BatchNormalization', name: '/head/bn/BatchNormalization', inputs: ['hc', 'head.bn.weight', 'head.bn.bias', 'head.bn.running_mean', 'head.bn.running_var'], outputs: ['hb'], attrs: { epsilon: { f: 1e-5 }, momentum: { f: 0.9 } } },
      { op: 'Relu', name: '/head/relu/Relu', inputs: ['hb'], outputs: ['hr'] },
      reduceMean,
      { op: 'Shape', name: '/Shape', inputs: ['hr'], outputs: ['sh'] },
      { op: 'Gather', name: '/Gather', inputs: ['sh', 'zero'], outputs: ['n'], attrs: { axis: { i: 0 } } },
      { op: 'Constant', name: '/Constant_1', inputs: [], outputs: ['zero_axes'], attrs: { value: { t: int64s([0]) } } },
      { op: 'Unsqueeze', name: '/Unsqueeze', inputs: ['n', 'zero_axes'], outputs: ['n1'] },
      { op: 'Concat', name: '/Concat', inputs: ['n1', 'minus1'], outputs: ['target'], attrs: { axis: { i: 0 } } },
      { op: 'Reshape', name: '/Reshape', inputs: ['hr', 'target'], outputs: ['flat'] },
      { op: 'Concat', name: '/Concat_1', inputs: ['r', 'flat'], outputs: ['f'], attrs: { axis: { i: 1 } } },
      split,
      { op: 'Add', name: '/Add', inputs: ['f1', 'f2'], outputs: ['feat'] },
      { op: 'Gemm', name: '/fc/Gemm', inputs: ['feat', 'fc.weight', 'fc.bias'], outputs: ['logits'], attrs: { alpha: { f: 1 }, beta: { f: 1 }, transB: { i: 1 } } },
      { op: 'Softmax', name: '/Softmax', inputs: ['logits'], outputs: ['probs'], attrs: { axis: { i: 1 } } },
    ],
  };
}

export const mobileLike = (opset: 14 | 18): Uint8Array => writeModel(mobileLikeSpec(opset));
