// Values the backward rebuilds instead of keeping from the forward (activation checkpointing, one cheap
// op chain at a time). Where a rule reads a registered value, the driver hands it the value rebuilt in
// the backward from values the backward keeps anyway, so the forward's copy is freed as soon as the
// forward is done with it. The rebuild must not be the forward's ops on the forward's inputs: the
// runtime's common-subexpression pass would fold the two back into the one kept value.

import type { Node, Value } from '../onnx/index.ts';

const registered = new WeakMap<Value, () => Value>();

/** Marks `value` as rebuilt by `rebuild` (run in the backward, where first needed); returns `value`. */
export function recomputeInBackward(value: Value, rebuild: () => Value): Value {
  registered.set(value, rebuild);
  return value;
}

/** For one backward pass: a node as its rule should see it, registered values rebuilt once each. */
export function backwardView(): (node: Node) => Node {
  const rebuilt = new Map<Value, Value>();
  const view = <V extends Value | undefined>(v: V): V | Value => {
    const rebuild = v && registered.get(v);
    if (!v || !rebuild) return v;
    let r = rebuilt.get(v);
    if (!r) rebuilt.set(v, (r = rebuild()));
    return r;
  };
  return (node) => {
    const touched = [...node.inputs, ...node.outputs].some((v) => v && registered.has(v));
    return touched ? { ...node, inputs: node.inputs.map(view), outputs: node.outputs.map(view) } : node;
  };
}
