// y = ConvTranspose(x, w) + b: the adjoint in its input of Conv with the same w [Cin, Cout/g, kh, kw],
// strides, pads, dilations and group, i.e. y[n, o, s*p + d*k - pad] += x[n, i, p] w[i, o, k]
// dx = Conv(dy, w) with those attributes (output_padding only adds rows that Conv does not reach)
// dw[i, o, k] = sum_{n, p} x[n, i, p] dy[n, o, s*p + d*k - pad]: Conv's weight gradient with the roles
//      swapped (conv input dy, conv output gradient x)
// db[o] = sum_{n, q} dy[n, o, q]

import * as b from '../../onnx/index.ts';
import { convWeightGrad } from '../conv_grad.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const ConvTranspose: Rule<'ConvTranspose'> = (node, dys) => {
  const [x, w] = [input(node, 0), input(node, 1)];
  const dy = outGrad(dys);
  const { strides, pads, dilations, group } = node.attrs;
  const kernel = b.staticShape(w.shape.slice(2), 'ConvTranspose gradient (kernel)');
  const convAttrs = { strides, pads, dilations, group };
  return [
    b.conv(dy, w, undefined, convAttrs),
    convWeightGrad(dy, x, kernel, convAttrs),
    node.inputs[2] ? b.reduceSum(dy, [0, 2, 3]) : undefined,
  ];
};
