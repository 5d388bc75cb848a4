// The page's WebGPU lowering: ONNX Runtime Web's WebGPU Concat binds each input as a storage buffer of
// one shader, and a device allows maxStorageBuffersPerShaderStage of them (8 unless asked for more; 10 on
// SwiftShader). The autodiff's Conv weight gradient concatenates kH x kW columns (9 for a 3x3 kernel, 49
// for a 7x7 stem), and past the limit the pipeline is invalid: the step would compute zeros, with only a
// console warning. So wider Concats become a tree of Concats that fit: the same values (copies only).
// The gradient composites (ConvWeightGrad, MaxPoolGrad) are expanded first, as every lowering pass
// does: their portable forms hold the wide Concats.

import * as b from '../../src/onnx/index.ts';
import type { Graph, Node, Rewritten, Value } from '../../src/onnx/index.ts';

const isConcat = (node: Node): node is Node<'Concat'> => node.op === 'Concat';

/** Concat of `xs` along `axis` with at most `maxInputs` inputs per Concat node. */
function concatTree(xs: readonly Value[], axis: number, maxInputs: number): Value {
  if (xs.length <= maxInputs) return b.concat(xs, axis);
  const groups: Value[] = [];
  for (let i = 0; i < xs.length; i += maxInputs) {
    const group = xs.slice(i, i + maxInputs);
    groups.push(group.length === 1 ? group[0]! : b.concat(group, axis));
  }
  return concatTree(groups, axis, maxInputs);
}

/** `graph` with its composites expanded and every Concat of more than `maxInputs` inputs split into a tree of Concats. */
export function splitWideConcats(graph: Graph, outputs: Record<string, Value>, maxInputs: number): Rewritten {
  if (maxInputs < 2) throw new RangeError(`splitWideConcats: maxInputs must be >= 2, got ${maxInputs}`);
  const expanded = b.expandComposites(graph, outputs);
  return b.rewriteGraph(expanded.graph, expanded.outputs, (node, inputs) => {
    if (!isConcat(node) || inputs.length <= maxInputs) return undefined;
    return [concatTree(inputs.filter((x): x is Value => x !== undefined), node.attrs.axis, maxInputs)];
  });
}
