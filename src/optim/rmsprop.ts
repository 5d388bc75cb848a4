// torch.optim.RMSprop:
//   g = grad + wd * p
//   sq = alpha * sq + (1 - alpha) * g^2
//   centered: ga = alpha * ga + (1 - alpha) * g;  avg = sqrt(sq - ga^2) + eps
//   else:     avg = sqrt(sq) + eps
//   momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
//   else:         p = p - lr * g / avg
// sq - ga^2 >= 0 in exact arithmetic (an EMA of squares dominates the square of the EMA); it is clamped
// at 0 so that float rounding cannot make a NaN where PyTorch would.

import * as b from '../onnx/index.ts';
import { type Optimizer, type RmspropConfig, type StateSlot, slotOf, withL2 } from './types.ts';

export const rmsprop: Optimizer<RmspropConfig> = {
  slots(c) {
    const slots: StateSlot[] = ['square_avg'];
    if (c.momentum > 0) slots.push('momentum_buffer');
    if (c.centered) slots.push('grad_avg');
    return slots;
  },

  update(c, input) {
    const { param, lr } = input;
    const g = withL2(input, c.weightDecay);
    const squareAvg = b.add(b.mul(slotOf(input, 'square_avg'), c.alpha), b.mul(b.mul(g, g), 1 - c.alpha));
    const state: ReturnType<typeof rmsprop.update>['state'] = { square_avg: squareAvg };
    let variance = squareAvg;
    if (c.centered) {
      const gradAvg = b.add(b.mul(slotOf(input, 'grad_avg'), c.alpha), b.mul(g, 1 - c.alpha));
      state.grad_avg = gradAvg;
      variance = b.max(b.sub(squareAvg, b.mul(gradAvg, gradAvg)), 0);
    }
    const scaled = b.div(g, b.add(b.sqrt(variance), c.eps));
    if (c.momentum <= 0) return { param: b.sub(param, b.mul(scaled, lr)), state };
    const buf = b.add(b.mul(slotOf(input, 'momentum_buffer'), c.momentum), scaled);
    state.momentum_buffer = buf;
    return { param: b.sub(param, b.mul(buf, lr)), state };
  },
};
