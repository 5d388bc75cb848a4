// Composite ops: one node that stands for a subgraph of standard ops (its portable expansion), so that
// a lowering pass can recognise it and emit an execution provider's better kernels instead. Autodiff
// rules use them for gradient kernels (MaxPoolGrad, ConvWeightGrad, FlippedWeight); serialize() expands
// every one that a pass has not replaced, so no file ever holds them.

import type { Expansion, Graph, OutputSpec, Value } from '../graph.ts';
import type { CompositeOp, OpAttrs } from '../op_types.ts';
import { type Rewritten, rewriteGraph } from '../rewrite.ts';
import { inferOrThrow } from '../graph.ts';

/** Emits composite `op`; `expand` builds its portable form from the (mapped) inputs. */
export function composite<P extends CompositeOp>(graph: Graph, op: P, inputs: readonly (Value | undefined)[], attrs: OpAttrs[P], output: () => OutputSpec, expand: Expansion): Value {
  const spec = inferOrThrow(graph, op, output);
  return graph.addNode(op, inputs, attrs, [spec], { expand })[0]!;
}

/** `graph` with every composite op replaced by its portable expansion. */
export function expandComposites(graph: Graph, outputs: Record<string, Value>): Rewritten {
  return rewriteGraph(graph, outputs, (node, inputs) => node.expand?.(inputs));
}
