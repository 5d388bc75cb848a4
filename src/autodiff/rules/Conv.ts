// y[n, f, p] = sum_{c in group(f), k} x[n, c, s*p + d*k - pad] w[f, c, k] + b[f]
// dx = Conv(dy, w transposed per group and flipped 180 degrees) for stride 1, else ConvTranspose(dy, w)
//      with the output_padding that restores x's spatial size (convInputGrad)
// dw[f, c, k] = sum_{n, p} dy[n, f, p] x[n, c, s*p + d*k - pad] (the composite ConvWeightGrad, expanded
//      to per-offset products or im2col by convWeightGrad)
// db[f] = sum_{n, p} dy[n, f, p]

import * as b from '../../onnx/index.ts';
import { convInputGrad, convWeightGradOp } from '../conv_grad.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const Conv: Rule<'Conv'> = (node, dys) => {
  const [x, w] = [input(node, 0), input(node, 1)];
  const dy = outGrad(dys);
  const kernel = b.staticShape(w.shape.slice(2), 'Conv gradient (kernel)');
  return [
    convInputGrad(dy, w, x, node.attrs),
    convWeightGradOp(x, dy, kernel, node.attrs),
    node.inputs[2] ? b.reduceSum(dy, [0, 2, 3]) : undefined,
  ];
};
