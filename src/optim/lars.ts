// LARS as torchlars wraps SGD (You et al. 2017, "Large Batch Training of Convolutional Networks"):
//   params with decay:  local = trust * ||p|| / (||g|| + wd * ||p|| + eps)   (1 if ||p|| or ||g|| is 0)
//                       d = local * (g + wd * p)
//   other params:       d = g                     (no decay, no adaptation: plain SGD momentum)
//   buf = momentum * buf + d;  p = p - lr * buf    (zero-initialised buffer, so buf = d on step 1)
// ||.|| is the L2 norm over the whole tensor; ||g|| is the raw gradient's.

import * as b from '../onnx/index.ts';
import { type LarsConfig, type Optimizer, slotOf } from './types.ts';

export const lars: Optimizer<LarsConfig> = {
  slots: (c) => (c.momentum === 0 ? [] : ['momentum_buffer']),

  update(c, input) {
    const { param, grad, lr } = input;
    let d = grad;
    if (input.decay) {
      const pNorm = b.reduceL2(param, []); // []
      const gNorm = b.reduceL2(grad, []); // []
      const ratio = b.div(b.mul(pNorm, c.trustCoefficient), b.add(b.add(gNorm, b.mul(pNorm, c.weightDecay)), c.eps));
      const local = b.where(b.and(b.greater(pNorm, 0), b.greater(gNorm, 0)), ratio, 1);
      const decayed = c.weightDecay === 0 ? grad : b.add(grad, b.mul(param, c.weightDecay));
      d = b.mul(decayed, local);
    }
    if (c.momentum === 0) return { param: b.sub(param, b.mul(d, lr)), state: {} };
    const buf = b.add(b.mul(slotOf(input, 'momentum_buffer'), c.momentum), d);
    return { param: b.sub(param, b.mul(buf, lr)), state: { momentum_buffer: buf } };
  },
};
