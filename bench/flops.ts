// Analytic FLOP counts of the matrix work in a graph (2 FLOPs per multiply-add): Conv, ConvTranspose,
// Gemm, MatMul. Elementwise ops, BatchNorm and pooling are left out, as is usual for "model FLOPs".

import type { Graph, Node } from '../src/onnx/index.ts';

const prod = (xs: readonly (number | string)[]): number => xs.reduce<number>((a, d) => a * (typeof d === 'number' ? d : Number.NaN), 1);

export function nodeFlops(node: Node): number {
  const x = node.inputs[0];
  const w = node.inputs[1];
  const y = node.outputs[0];
  if (!x || !w || !y) return 0;
  switch (node.op) {
    case 'Conv': {
      // every output element: Cin/group * kH * kW multiply-adds
      return 2 * prod(y.shape) * prod(w.shape.slice(1));
    }
    case 'ConvTranspose': {
      // every input element scatters into Cout/group * kH * kW outputs
      return 2 * prod(x.shape) * prod(w.shape.slice(1));
    }
    case 'Gemm': {
      // A is [M, K] or, transposed, [K, M]; Y is [M, N].
      return 2 * prod(y.shape) * (prod(x.shape) / prod([y.shape[0]!]));
    }
    case 'MatMul': {
      return 2 * prod(y.shape) * prod([x.shape[x.rank - 1]!]);
    }
    default:
      return 0;
  }
}

/** FLOPs of the nodes that `keep` selects (default: all). */
export function graphFlops(graph: Graph, keep: (node: Node) => boolean = () => true): number {
  return graph.nodes.filter(keep).reduce((sum, n) => sum + nodeFlops(n), 0);
}

/** Whether a node name lies in the scope `scope` (`grad.encoder.conv1/Conv_1/MatMul_9`, `grad/ReduceSum_37`). */
export const inScope = (name: string, scope: string): boolean => name.startsWith(`${scope}.`) || name.startsWith(`${scope}/`);

/** Forward nodes of a step graph: not built in the autodiff `grad` scope nor in the `optimizer` scope. */
export const isForward = (node: Node): boolean => !inScope(node.name, 'grad') && !inScope(node.name, 'optimizer');
