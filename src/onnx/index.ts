// The graph builder: `import * as b from '../onnx/index.ts'` gives the graph, values and every op.

export * from './dtype.ts';
export * from './shape.ts';
export * from './graph.ts';
export type { CompositeOp, OpAttrs, OpType } from './op_types.ts';
export * from './ops/elementwise.ts';
export * from './ops/linalg.ts';
export * from './ops/nn.ts';
export * from './ops/reduce.ts';
export * from './ops/shape_ops.ts';
export * as ortCpu from './ops/ort_cpu.ts';
export { composite, expandComposites } from './ops/composite.ts';
export { type Operand } from './ops/common.ts';
export { OPSET, IR_VERSION, serialize, type ModelOptions } from './serialize.ts';
export { rewriteGraph, type NodeRewrite, type Rewritten } from './rewrite.ts';
