// Closed-form float64 references of the optimizers, written from PyTorch's documented update rules
// (torch.optim.SGD, Adam, AdamW, RMSprop) and torchlars' LARS, one parameter tensor at a time.

import type { OptimizerConfig } from '../../src/optim/index.ts';

export type Vec = number[];
export type RefState = Record<string, Vec>;

const axpy = (a: number, x: Vec, y: Vec): Vec => x.map((xi, i) => a * xi + y[i]!);
const scale = (a: number, x: Vec): Vec => x.map((xi) => a * xi);
const norm = (x: Vec): number => Math.sqrt(x.reduce((s, v) => s + v * v, 0));

/** One step on parameter p with gradient g at 1-based step t; updates `state` in place, returns the new p. */
export function referenceStep(c: OptimizerConfig, p: Vec, g: Vec, state: RefState, lr: number, t: number, decay: boolean): Vec {
  const zeros = (): Vec => p.map(() => 0);
  switch (c.kind) {
    case 'sgd': {
      let d = decay ? axpy(c.weightDecay, p, g) : g;
      if (c.momentum !== 0) {
        const damp = c.dampening ?? 0;
        const buf = t === 1 ? [...d] : axpy(1 - damp, d, scale(c.momentum, state.momentum_buffer!));
        state.momentum_buffer = buf;
        d = c.nesterov ? axpy(c.momentum, buf, d) : buf;
      }
      return axpy(-lr, d, p);
    }
    case 'adam':
    case 'adamw': {
      let param = p;
      let grad = g;
      if (decay && c.kind === 'adamw') param = scale(1 - lr * c.weightDecay, p);
      if (decay && c.kind === 'adam') grad = axpy(c.weightDecay, p, g);
      const m = axpy(1 - c.beta1, grad, scale(c.beta1, state.exp_avg ?? zeros()));
      const v = (state.exp_avg_sq ?? zeros()).map((vi, i) => c.beta2 * vi + (1 - c.beta2) * grad[i]! * grad[i]!);
      state.exp_avg = m;
      state.exp_avg_sq = v;
      const bc1 = 1 - c.beta1 ** t;
      const bc2 = 1 - c.beta2 ** t;
      return param.map((pi, i) => pi - (lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + c.eps)));
    }
    case 'rmsprop': {
      const grad = decay ? axpy(c.weightDecay, p, g) : g;
      const sq = (state.square_avg ?? zeros()).map((s, i) => c.alpha * s + (1 - c.alpha) * grad[i]! * grad[i]!);
      state.square_avg = sq;
      let avg: Vec;
      if (c.centered) {
        const ga = axpy(1 - c.alpha, grad, scale(c.alpha, state.grad_avg ?? zeros()));
        state.grad_avg = ga;
        avg = sq.map((s, i) => Math.sqrt(s - ga[i]! * ga[i]!) + c.eps);
      } else {
        avg = sq.map((s) => Math.sqrt(s) + c.eps);
      }
      const scaled = grad.map((gi, i) => gi / avg[i]!);
      if (c.momentum > 0) {
        const buf = axpy(1, scaled, scale(c.momentum, state.momentum_buffer ?? zeros()));
        state.momentum_buffer = buf;
        return axpy(-lr, buf, p);
      }
      return axpy(-lr, scaled, p);
    }
    case 'lars': {
      let d = g;
      if (decay) {
        const pn = norm(p);
        const gn = norm(g);
        const local = pn > 0 && gn > 0 ? (c.trustCoefficient * pn) / (gn + c.weightDecay * pn + c.eps) : 1;
        d = scale(local, axpy(c.weightDecay, p, g));
      }
      if (c.momentum === 0) return axpy(-lr, d, p);
      const buf = axpy(1, d, scale(c.momentum, state.momentum_buffer ?? zeros()));
      state.momentum_buffer = buf;
      return axpy(-lr, buf, p);
    }
  }
}
