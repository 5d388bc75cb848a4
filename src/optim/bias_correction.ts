// Adam's bias corrections 1 - beta^t in float32 without cancellation.
//
// `1 - Pow(beta, t)` in float32 loses digits where beta^t is near 1: rounding beta2 = 0.999 to float32
// alone makes 1 - beta2^1 off by 1.3e-5 relative (PyTorch evaluates it in float64 on the host). Here
// 1 - beta^t = -expm1(t * ln beta), with ln beta rounded once from float64, and expm1(y) from its Taylor
// series where |y| < 0.1 (truncation ~1e-8 relative) and from exp(y) - 1 elsewhere (|1 - e^y| >= 0.095, so
// exp's rounding costs < 1e-6 relative). Only elementwise ops, so every execution provider computes it alike.
// Emitted once per (step input, beta) and shared by all parameters of the graph.

import * as b from '../onnx/index.ts';
import type { Value } from '../onnx/index.ts';

const cache = new WeakMap<Value, Map<number, Value>>();

/** 1 - beta^step for the float32 [] `step` input; beta in (0, 1). */
export function oneMinusPow(step: Value, beta: number): Value {
  let perBeta = cache.get(step);
  if (!perBeta) cache.set(step, (perBeta = new Map()));
  const cached = perBeta.get(beta);
  if (cached) return cached;

  const y = b.mul(step, Math.log(beta)); // [] , < 0
  // y (1 + y/2 (1 + y/3 (1 + y/4 (1 + y/5)))) = y + y^2/2 + y^3/6 + y^4/24 + y^5/120
  let series = b.add(b.mul(y, 1 / 5), 1);
  for (const k of [4, 3, 2]) series = b.add(b.mul(b.mul(y, 1 / k), series), 1);
  const expm1 = b.where(b.less(b.abs(y), 0.1), b.mul(y, series), b.sub(b.exp(y), 1));
  const result = b.neg(expm1);
  perBeta.set(beta, result);
  return result;
}
