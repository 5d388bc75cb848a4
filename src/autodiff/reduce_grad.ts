// Pieces the reduction rules share: the static axes of a Reduce* node and putting reduced axes back.

import * as b from '../onnx/index.ts';
import type { Node, Value } from '../onnx/index.ts';
import { staticInts } from './helpers.ts';

type ReduceOp = 'ReduceSum' | 'ReduceMean' | 'ReduceMax' | 'ReduceL2' | 'ReduceSumSquare';

/** The reduced axes, normalised; all axes when the axes input is absent (opset 18). */
export function reduceAxes(node: Node<ReduceOp>): number[] {
  const x = node.inputs[0]!;
  const axes = node.inputs[1] ? staticInts(node.inputs[1], `${node.op} axes`) : [];
  return axes.length === 0 ? x.shape.map((_, i) => i) : axes.map((a) => b.normAxis(a, x.rank));
}

/** A reduced value (output or its gradient) with the reduced axes restored as size 1. */
export function keptDims(v: Value, node: Node<ReduceOp>, axes: readonly number[]): Value {
  return node.attrs.keepdims ? v : b.unsqueeze(v, axes);
}

/** A reduced value broadcast back to the shape of x. */
export function unreduce(v: Value, node: Node<ReduceOp>, x: Value): Value {
  const kept = keptDims(v, node, reduceAxes(node));
  return b.isStatic(x.shape) ? b.expand(kept, x.shape) : b.expandLike(kept, x);
}
