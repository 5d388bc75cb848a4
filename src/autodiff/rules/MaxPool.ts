// y[n, c, q] = max_k xpad[n, c, s*q + k] over the kernel offsets k (padding never wins)
// dx = fold( first_k(xpad[s*q + k] == y) * dy ),  first_k(h) = h_k * relu(1 - sum_{j<k} h_j)
// The first maximum (row-major in the window) takes the gradient, the element ORT's Indices output and
// PyTorch pick on ties; overlapping windows that share a maximum add up in the fold. Only float ops
// that every execution provider runs on the device: WebGPU's MaxPool has no Indices output ("The
// Indices output is not supported yet", onnxruntime-node 1.30), which the earlier ScatterElements
// formulation routed the gradient through, and WebGPU runs int64 Equal/Cast on the CPU, so no ArgMax
// either (the count of earlier maxima is a MatMul with a triangular matrix).

import * as b from '../../onnx/index.ts';
import { GradError } from '../grad_error.ts';
import { foldWindows, unfoldWindows, windowsInside } from '../pool_grad.ts';
import { type Rule, input, outGrad, output } from '../rule.ts';

export const MaxPool: Rule<'MaxPool'> = (node, dys) => {
  const x = input(node, 0);
  const [ho, wo] = output(node).shape.slice(2);
  if (typeof ho !== 'number' || typeof wo !== 'number') throw new GradError(`${node.name}: MaxPool's gradient needs static spatial dims`);
  const { kernel_shape: kernel, strides, pads } = node.attrs;
  const k = kernel[0]! * kernel[1]!;
  const y = b.reshape(output(node), [-1, 1, ho, wo]); // [N*C, 1, Ho, Wo]
  let hit = b.cast(b.equal(unfoldWindows(x, kernel, strides, pads), y), x.dtype); // [N*C, K, Ho, Wo]
  const inside = windowsInside(x, kernel, strides, pads); // padding reads 0, which may equal y
  if (inside) hit = b.mul(hit, inside);
  let first = hit;
  if (k > 1) {
    // earlier[k] = hits at offsets before k: a strictly lower-triangular [K, K] of ones times hit.
    const lower = Array.from({ length: k * k }, (_, i) => (i % k < Math.floor(i / k) ? 1 : 0));
    const tri = x.graph.constant(b.fromNumbers(x.dtype, lower), x.dtype, [k, k]);
    const earlier = b.reshape(b.matmul(tri, b.reshape(hit, [-1, k, ho * wo])), [-1, k, ho, wo]);
    first = b.mul(hit, b.relu(b.sub(1, earlier)));
  }
  const dy = b.reshape(outGrad(dys), [-1, 1, ho, wo]);
  return [foldWindows(b.mul(first, dy), x, kernel, strides, pads)];
};
