// Shared plumbing for op constructors: find the graph, lift numbers to constants, emit one node.

import { GraphError, type Graph, type OutputSpec, Value, inferOrThrow } from '../graph.ts';
import type { DType } from '../dtype.ts';
import type { OpAttrs, OpType } from '../op_types.ts';

export type Operand = Value | number;

export function graphOf(...operands: (Operand | undefined)[]): Graph {
  const v = operands.find((o): o is Value => o instanceof Value);
  if (!v) throw new GraphError('an op needs at least one Value operand (numbers alone have no graph)');
  return v.graph;
}

/** Numbers become scalar constants of `dtype` (the dtype of the Value operand beside them). */
export function lift(graph: Graph, x: Operand, dtype: DType): Value {
  return x instanceof Value ? x : graph.scalar(x, dtype);
}

/** Emits a single-output node after inferring its output with errors that name op and scope. */
export function emit<P extends OpType>(
  graph: Graph,
  op: P,
  inputs: readonly (Value | undefined)[],
  attrs: OpAttrs[P],
  infer: () => OutputSpec,
  options: { stopGradient?: boolean } = {},
): Value {
  const spec = inferOrThrow(graph, op, infer);
  const [out] = graph.addNode(op, inputs, attrs, [spec], options);
  if (!out) throw new GraphError(`${op}: no output`);
  return out;
}
