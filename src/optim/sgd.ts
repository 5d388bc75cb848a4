// torch.optim.SGD:
//   g = grad + wd * p
//   buf = g                                   (first step)
//   buf = momentum * buf + (1 - dampening) * g (later steps)
//   d = nesterov ? g + momentum * buf : buf   (d = g without momentum)
//   p = p - lr * d
// The buffer starts at zeros, so with dampening 0 the general formula already gives buf = g on the first
// step; only a non-zero dampening needs the `step == 1` select.

import * as b from '../onnx/index.ts';
import { type Optimizer, type SgdConfig, slotOf, withL2 } from './types.ts';

export const sgd: Optimizer<SgdConfig> = {
  slots: (c) => (c.momentum === 0 ? [] : ['momentum_buffer']),

  update(c, input) {
    const { param, lr, step } = input;
    const g = withL2(input, c.weightDecay);
    if (c.momentum === 0) return { param: b.sub(param, b.mul(g, lr)), state: {} };

    const dampening = c.dampening ?? 0;
    const blended = b.add(b.mul(slotOf(input, 'momentum_buffer'), c.momentum), dampening === 0 ? g : b.mul(g, 1 - dampening));
    const buf = dampening === 0 ? blended : b.where(b.less(step, 1.5), g, blended);
    const direction = c.nesterov ? b.add(g, b.mul(buf, c.momentum)) : buf;
    return { param: b.sub(param, b.mul(direction, lr)), state: { momentum_buffer: buf } };
  },
};
