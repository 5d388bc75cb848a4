// The rule table. Typed as a mapped type over the differentiable ops, so a missing rule is a compile
// error; ops without a gradient are listed explicitly.

import type { CompositeOp, Node, OpType } from '../onnx/index.ts';
import type { Rule } from './rule.ts';
import { GradError } from './grad_error.ts';
import { Add } from './rules/Add.ts';
import { Mul } from './rules/Mul.ts';
import { ReduceSum } from './rules/ReduceSum.ts';
import { Relu } from './rules/Relu.ts';
import { Sub } from './rules/Sub.ts';
import { Div } from './rules/Div.ts';
import { Pow } from './rules/Pow.ts';
import { Max } from './rules/Max.ts';
import { Min } from './rules/Min.ts';
import { Neg } from './rules/Neg.ts';
import { Exp } from './rules/Exp.ts';
import { Log } from './rules/Log.ts';
import { Sqrt } from './rules/Sqrt.ts';
import { Abs } from './rules/Abs.ts';
import { Reciprocal } from './rules/Reciprocal.ts';
import { Sigmoid } from './rules/Sigmoid.ts';
import { Tanh } from './rules/Tanh.ts';
import { Identity } from './rules/Identity.ts';
import { Where } from './rules/Where.ts';
import { Cast } from './rules/Cast.ts';
import { Clip } from './rules/Clip.ts';
import { HardSigmoid } from './rules/HardSigmoid.ts';
import { HardSwish } from './rules/HardSwish.ts';
import { Reshape } from './rules/Reshape.ts';
import { Flatten } from './rules/Flatten.ts';
import { Transpose } from './rules/Transpose.ts';
import { Concat } from './rules/Concat.ts';
import { Slice } from './rules/Slice.ts';
import { Squeeze } from './rules/Squeeze.ts';
import { Unsqueeze } from './rules/Unsqueeze.ts';
import { Expand } from './rules/Expand.ts';
import { Pad } from './rules/Pad.ts';
import { Gather } from './rules/Gather.ts';
import { ScatterElements } from './rules/ScatterElements.ts';
import { GatherElements } from './rules/GatherElements.ts';
import { MatMul } from './rules/MatMul.ts';
import { Gemm } from './rules/Gemm.ts';
import { Conv } from './rules/Conv.ts';
import { ConvTranspose } from './rules/ConvTranspose.ts';
import { MaxPool } from './rules/MaxPool.ts';
import { AveragePool } from './rules/AveragePool.ts';
import { GlobalAveragePool } from './rules/GlobalAveragePool.ts';
import { BatchNormalization } from './rules/BatchNormalization.ts';
import { ReduceMean } from './rules/ReduceMean.ts';
import { ReduceMax } from './rules/ReduceMax.ts';
import { ReduceL2 } from './rules/ReduceL2.ts';
import { ReduceSumSquare } from './rules/ReduceSumSquare.ts';
import { Softmax } from './rules/Softmax.ts';
import { LogSoftmax } from './rules/LogSoftmax.ts';

const NON_DIFFERENTIABLE_OPS = ['Shape', 'Equal', 'Less', 'Greater', 'Not', 'And', 'ArgMax', 'Sign', 'Floor'] as const;
export type NonDifferentiableOp = (typeof NON_DIFFERENTIABLE_OPS)[number];
/** Ops that only an execution provider's lowering pass emits, after differentiation: no rules. */
type LoweredOp = 'ReorderInput' | 'ReorderOutput' | 'NchwcConv' | 'MaxUnpool';
/** Gradient kernels that rules emit as composites (no second derivatives are taken). */
type GradientComposite = CompositeOp;
export type DifferentiableOp = Exclude<OpType, NonDifferentiableOp | LoweredOp | GradientComposite>;
export const NON_DIFFERENTIABLE: ReadonlySet<OpType> = new Set(NON_DIFFERENTIABLE_OPS);

export const RULES: { [P in DifferentiableOp]: Rule<P> } = {
  Add,
  Mul,
  ReduceSum,
  Relu,
  Sub,
  Div,
  Pow,
  Max,
  Min,
  Neg,
  Exp,
  Log,
  Sqrt,
  Abs,
  Reciprocal,
  Sigmoid,
  Tanh,
  Identity,
  Where,
  Cast,
  Clip,
  HardSigmoid,
  HardSwish,
  Reshape,
  Flatten,
  Transpose,
  Concat,
  Slice,
  Squeeze,
  Unsqueeze,
  Expand,
  Pad,
  Gather,
  ScatterElements,
  GatherElements,
  MatMul,
  Gemm,
  Conv,
  ConvTranspose,
  MaxPool,
  AveragePool,
  GlobalAveragePool,
  BatchNormalization,
  ReduceMean,
  ReduceMax,
  ReduceL2,
  ReduceSumSquare,
  Softmax,
  LogSoftmax,
};

export function ruleFor(node: Node): Rule<OpType> {
  const rule = (RULES as Partial<Record<OpType, Rule<OpType>>>)[node.op];
  if (!rule) throw new GradError(`no gradient rule for ${node.op} (${node.name})`);
  return rule;
}
