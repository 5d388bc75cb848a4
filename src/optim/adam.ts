// torch.optim.Adam / AdamW (amsgrad off):
//   adam:  g = grad + wd * p            adamw: p = p * (1 - lr * wd)
//   m = beta1 * m + (1 - beta1) * g
//   v = beta2 * v + (1 - beta2) * g^2
//   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// t is the 1-based `step` input; the bias corrections are computed in graph (bias_correction.ts).

import * as b from '../onnx/index.ts';
import { oneMinusPow } from './bias_correction.ts';
import { type AdamConfig, type Optimizer, slotOf, withL2 } from './types.ts';

export const adam: Optimizer<AdamConfig> = {
  slots: () => ['exp_avg', 'exp_avg_sq'],

  update(c, input) {
    const { lr, step } = input;
    const decoupled = c.kind === 'adamw';
    const g = decoupled ? input.grad : withL2(input, c.weightDecay);
    const param = decoupled && input.decay && c.weightDecay !== 0 ? b.mul(input.param, b.sub(1, b.mul(lr, c.weightDecay))) : input.param;

    const m = b.add(b.mul(slotOf(input, 'exp_avg'), c.beta1), b.mul(g, 1 - c.beta1));
    const v = b.add(b.mul(slotOf(input, 'exp_avg_sq'), c.beta2), b.mul(b.mul(g, g), 1 - c.beta2));
    const correction1 = oneMinusPow(step, c.beta1); // []
    const correction2 = oneMinusPow(step, c.beta2); // []
    const denom = b.add(b.div(b.sqrt(v), b.sqrt(correction2)), c.eps);
    const stepSize = b.div(lr, correction1); // []
    return { param: b.sub(param, b.mul(b.div(m, denom), stepSize)), state: { exp_avg: m, exp_avg_sq: v } };
  },
};
