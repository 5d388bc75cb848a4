// Values whose gradient is a closed form instead of the chain rule through the nodes that compute them
// (JAX's custom_vjp). A composite keeps its forward ops, and the driver calls `vjp(dy)` where it would
// call the rule of the value's producer; the composite's inner nodes then get no gradient through it
// (an inner value used elsewhere still gets that use's gradient). For composites whose primitive chain
// is slow to differentiate: training-mode batch norm (composites/batch_norm_training.ts).

import type { Value } from '../onnx/index.ts';

export interface CustomVjp {
  /** What `vjp` differentiates, in the order of the gradients it returns. */
  inputs: readonly Value[];
  /** dy (the gradient of the value) -> the gradient of each input, undefined for none. */
  vjp: (dy: Value) => readonly (Value | undefined)[];
}

const registered = new WeakMap<Value, CustomVjp>();

/** Gives `value` (the single output of its producer) a closed-form gradient; returns `value`. */
export function withCustomVjp(value: Value, custom: CustomVjp): Value {
  if (value.producer?.outputs.length !== 1) throw new Error(`withCustomVjp: ${value} must be the single output of a node`);
  registered.set(value, custom);
  return value;
}

export function customVjpOf(value: Value): CustomVjp | undefined {
  return registered.get(value);
}
