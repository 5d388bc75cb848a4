// y[n, c] = mean_{h, w} x[n, c, h, w], y [N, C, 1, 1]
// dx = expand(dy, shape(x)) / (H * W)

import * as b from '../../onnx/index.ts';
import { type Rule, input, outGrad } from '../rule.ts';

export const GlobalAveragePool: Rule<'GlobalAveragePool'> = (node, dy) => {
  const x = input(node, 0);
  const spatial = b.staticShape(x.shape.slice(2), 'GlobalAveragePool gradient (spatial dims)');
  const scaled = b.div(outGrad(dy), b.numel(spatial));
  return [b.isStatic(x.shape) ? b.expand(scaled, x.shape) : b.expandLike(scaled, x)];
};
