// The shape of a gradient rule: given the forward node and the gradients of its outputs, emit the
// gradients of its inputs (undefined where an input gets none). Rules may return gradients in the
// broadcast shape of the op; the driver sums them back to each input's shape.

import type { Node, OpType, Value } from '../onnx/index.ts';

export type Rule<P extends OpType> = (node: Node<P>, dy: readonly (Value | undefined)[]) => readonly (Value | undefined)[];

/** Input `i` of a node, which the rule's op always has. */
export function input(node: Node, i: number): Value {
  const v = node.inputs[i];
  if (!v) throw new Error(`${node.name}: missing input ${i}`);
  return v;
}

/** Output `i` of a node (rules reuse forward results: exp, sigmoid, ...). */
export function output(node: Node, i = 0): Value {
  const v = node.outputs[i];
  if (!v) throw new Error(`${node.name}: missing output ${i}`);
  return v;
}

/** Gradient of output `i`, which the driver guarantees for single-output ops. */
export function outGrad(dy: readonly (Value | undefined)[], i = 0): Value {
  const v = dy[i];
  if (!v) throw new Error(`missing gradient for output ${i}`);
  return v;
}
