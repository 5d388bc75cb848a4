// y[n, c, q] = max_{k in window q} x[n, c, s*q + k - pad], idx[n, c, q] = flat index of that maximum
// dx = reshape(ScatterElements(zeros [N*C*H*W], flat(idx), flat(dy), axis 0, reduction add), shape(x))
// ORT's MaxPool indices are row-major over the unpadded [N, C, H, W] (batch and channel included), so
// one scatter over the flattened input routes every window's gradient to its maximum; overlapping
// windows that share a maximum add up. A forward MaxPool built without the Indices output is re-emitted
// here with it (MaxPool is cheap next to the convolutions around it).

import * as b from '../../onnx/index.ts';
import { zerosLike } from '../helpers.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const MaxPool: Rule<'MaxPool'> = (node, dys) => {
  const x = input(node, 0);
  const { kernel_shape: kernel, strides, pads } = node.attrs;
  const indices = node.outputs[1] ?? b.maxPoolWithIndices(x, { kernel, strides, pads })[1];
  const flat = (v: b.Value): b.Value => b.reshape(v, [-1]);
  const scattered = b.scatterElements(flat(zerosLike(x)), flat(indices), flat(outGrad(dys)), 0, 'add');
  return [b.reshapeLike(scattered, x)];
};
