// y[n, c, q] = sum_{k in window q} x[n, c, s*q + k - pad] / count[q]
// count = kh*kw with count_include_pad = 1, else the number of window elements inside x (from the pads)
// dx = ConvTranspose(dy / count, ones [1, 1, kh, kw]) run on [N*C, 1, Ho, Wo], with the pool's
//      strides and pads and the output_padding that gives x's spatial size, reshaped to x's shape

import * as b from '../../onnx/index.ts';
import { transposeOutputPadding, windowCounts } from '../pool_grad.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const AveragePool: Rule<'AveragePool'> = (node, dys) => {
  const x = input(node, 0);
  const dy = outGrad(dys);
  const g = x.graph;
  const { kernel_shape: kernel, strides, pads, count_include_pad: includePad } = node.attrs;
  const [h, w] = b.staticShape(x.shape.slice(2), 'AveragePool gradient (spatial dims)') as [number, number];
  const [ho, wo] = b.staticShape(dy.shape.slice(2), 'AveragePool gradient (output spatial dims)') as [number, number];
  const kk = kernel[0]! * kernel[1]!;
  const padded = pads.some((p) => p !== 0);
  const weighted = includePad || !padded
    ? b.div(dy, kk)
    : b.div(dy, g.constant(b.fromNumbers(x.dtype, windowCounts([h, w], [ho, wo], kernel, strides, pads)), x.dtype, [ho, wo]));
  const ones = g.constant(b.fromNumbers(x.dtype, new Array<number>(kk).fill(1)), x.dtype, [1, 1, kernel[0]!, kernel[1]!]);
  const dx = b.convTranspose(b.reshape(weighted, [-1, 1, ho, wo]), ones, {
    strides,
    pads,
    outputPadding: transposeOutputPadding([h, w], [ho, wo], kernel, strides, pads, [1, 1]),
  });
  return [b.reshapeLike(dx, x)];
};
