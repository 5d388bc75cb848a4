// A copy of a graph with chosen nodes replaced, the base of lowering passes: inputs keep their names,
// constants their data, every other node is copied with its name, attributes, shapes and (a composite) its expansion. Replacement
// nodes are built inside a scope named after the node they replace, so they stay in its phase
// (`grad.`, `optimizer.`) for profiles.

import { Graph, type Node, type Value } from './graph.ts';
import { staticShape } from './shape.ts';

/** Emits the replacement of `node` into the copy (inputs already mapped), or returns undefined to copy it. */
export type NodeRewrite = (node: Node, inputs: readonly (Value | undefined)[], copy: Graph) => readonly Value[] | undefined;

export interface Rewritten {
  graph: Graph;
  /** The outputs given, mapped into the copy. */
  outputs: Record<string, Value>;
}

export function rewriteGraph(graph: Graph, outputs: Record<string, Value>, rewrite: NodeRewrite): Rewritten {
  const copy = new Graph();
  const mapped = new Map<Value, Value>();
  const map = (v: Value | undefined): Value | undefined => {
    if (!v) return undefined;
    const m = mapped.get(v);
    if (!m) throw new Error(`rewriteGraph: ${v} is used before it is defined`);
    return m;
  };
  for (const v of graph.inputs) mapped.set(v, copy.input(v.name!, v.dtype, v.shape));
  for (const [v, c] of graph.constants) mapped.set(v, copy.constant(c.data, v.dtype, staticShape(v.shape, 'constant'), v.name));
  for (const node of graph.nodes) {
    const inputs = node.inputs.map(map);
    const replaced = copy.scope(node.name, () => rewrite(node, inputs, copy));
    const results = replaced ?? copy.addNode(node.op, inputs, node.attrs, node.outputs, { name: node.name, ...(node.stopGradient ? { stopGradient: true } : {}), ...(node.expand ? { expand: node.expand } : {}) });
    if (results.length !== node.outputs.length) throw new Error(`rewriteGraph: ${node.name} has ${node.outputs.length} outputs, its replacement ${results.length}`);
    node.outputs.forEach((out, i) => mapped.set(out, results[i]!));
  }
  return { graph: copy, outputs: Object.fromEntries(Object.entries(outputs).map(([name, v]) => [name, map(v)!])) };
}
