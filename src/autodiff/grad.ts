// Reverse-mode differentiation over builder graphs (the driver; one rule per op lives in rules/).
// Walks only the nodes between `wrt` and the loss, in reverse construction order, sums gradients of
// values used several times, undoes broadcasting here (rules may return broadcast-shaped gradients),
// stops at `stopGradient` markers, and calls a value's closed-form VJP in place of its producer's rule
// where one is registered (custom_vjp.ts), and hands rules the backward's rebuild of values registered
// for recomputation (recompute.ts).

import * as b from '../onnx/index.ts';
import type { Node, Value } from '../onnx/index.ts';
import { customVjpOf } from './custom_vjp.ts';
import { backwardView } from './recompute.ts';
import { NON_DIFFERENTIABLE, ruleFor } from './registry.ts';
import { sumToShape, zerosLike } from './helpers.ts';
import { GradError } from './grad_error.ts';

export { GradError };

/** Values that depend on `wrt` through differentiable paths. */
function dependents(nodes: readonly Node[], wrt: readonly Value[]): Set<Value> {
  const live = new Set<Value>(wrt);
  for (const node of nodes) {
    if (node.stopGradient || NON_DIFFERENTIABLE.has(node.op)) continue;
    if (node.inputs.some((v) => v && live.has(v))) for (const out of node.outputs) if (b.isFloat(out.dtype)) live.add(out);
  }
  return live;
}

/**
 * d loss / d wrt for a scalar loss (or any loss with an explicit `seed` of its shape).
 * Gradients of inputs that the loss does not depend on are zeros.
 */
export function grad(loss: Value, wrt: readonly Value[], seed?: Value): Value[] {
  const g = loss.graph;
  if (!seed && loss.shape.some((d) => d !== 1)) throw new GradError(`loss must be a scalar, got ${loss}`);
  const live = dependents(g.nodes, wrt);
  if (!live.has(loss)) return wrt.map(zerosLike);
  const grads = new Map<Value, Value>([[loss, seed ?? b.expand(g.scalar(1, loss.dtype), loss.shape.map(Number))]]);
  const accumulate = (v: Value, dv: Value): void => {
    const shaped = sumToShape(dv, v.shape);
    const prev = grads.get(v);
    grads.set(v, prev ? b.add(prev, shaped) : shaped);
  };

  const view = backwardView();
  g.scope('grad', () => {
    for (const node of [...g.nodes].reverse()) {
      const dy = node.outputs.map((out) => grads.get(out));
      if (dy.every((d) => d === undefined) || node.stopGradient || NON_DIFFERENTIABLE.has(node.op)) continue;
      if (!node.inputs.some((v) => v && live.has(v))) continue;
      const custom = customVjpOf(node.outputs[0]!);
      const inputs = custom ? custom.inputs : node.inputs;
      const dx = g.scope(node.name, () => (custom ? custom.vjp(dy[0]!) : ruleFor(node)(view(node), dy)));
      inputs.forEach((v, i) => {
        const dv = dx[i];
        if (v && dv && live.has(v)) accumulate(v, dv);
      });
    }
  });
  return wrt.map((v) => grads.get(v) ?? zerosLike(v));
}
