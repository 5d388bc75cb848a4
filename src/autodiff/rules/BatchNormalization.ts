// Inference mode (training_mode = 0), statistics per channel c (axis 1), broadcast as [C, 1, ..., 1]:
// y = (x - mean) * r * scale + bias, r = 1 / sqrt(var + eps)
// dx = dy * scale * r
// dscale = sum_{n, spatial} dy * (x - mean) * r
// dbias = sum_{n, spatial} dy
// The running mean and variance get no gradient. Training-mode batch norm is composed from primitives
// (ReduceMean / Sub / Mul ...) by the model code, so its gradient comes from those rules.

import * as b from '../../onnx/index.ts';
import type { Value } from '../../onnx/index.ts';
import { GradError } from '../grad_error.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const BatchNormalization: Rule<'BatchNormalization'> = (node, dys) => {
  if (node.attrs.training_mode) {
    throw new GradError(`${node.name}: training-mode BatchNormalization has no rule; compose it from primitives`);
  }
  const [x, scale, mean, variance] = [input(node, 0), input(node, 1), input(node, 3), input(node, 4)];
  const dy = outGrad(dys);
  const trailing = x.rank - 2;
  // [C] -> [C, 1, ..., 1] so that it broadcasts against [N, C, ...].
  const perChannel = (v: Value): Value => (trailing > 0 ? b.unsqueeze(v, Array.from({ length: trailing }, (_, i) => i + 1)) : v);
  // epsilon is a float attribute: the forward adds its float32 value.
  const r = b.reciprocal(b.sqrt(b.add(variance, Math.fround(node.attrs.epsilon))));
  const axes = [0, ...Array.from({ length: trailing }, (_, i) => i + 2)];
  const dx = b.mul(dy, perChannel(b.mul(scale, r)));
  const normalized = b.mul(b.sub(x, perChannel(mean)), perChannel(r));
  const dscale = b.reduceSum(b.mul(dy, normalized), axes);
  const dbias = b.reduceSum(dy, axes);
  return [dx, dscale, dbias, undefined, undefined];
};
