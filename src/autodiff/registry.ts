// The rule table. Typed as a mapped type over the differentiable ops, so a missing rule is a compile
// error; ops without a gradient are listed explicitly.

import type { Node, OpType } from '../onnx/index.ts';
import type { Rule } from './rule.ts';
import { GradError } from './grad_error.ts';
import { Add } from './rules/Add.ts';
import { Mul } from './rules/Mul.ts';
import { ReduceSum } from './rules/ReduceSum.ts';
import { Relu } from './rules/Relu.ts';

const NON_DIFFERENTIABLE_OPS = ['Shape', 'Equal', 'Less', 'Greater', 'Not', 'And', 'ArgMax', 'Sign', 'Floor'] as const;
export type NonDifferentiableOp = (typeof NON_DIFFERENTIABLE_OPS)[number];
export type DifferentiableOp = Exclude<OpType, NonDifferentiableOp>;
export const NON_DIFFERENTIABLE: ReadonlySet<OpType> = new Set(NON_DIFFERENTIABLE_OPS);

export const RULES: { [P in DifferentiableOp]: Rule<P> } = {
  Add,
  Mul,
  ReduceSum,
  Relu,
};

export function ruleFor(node: Node): Rule<OpType> {
  const rule = (RULES as Partial<Record<OpType, Rule<OpType>>>)[node.op];
  if (!rule) throw new GradError(`no gradient rule for ${node.op} (${node.name})`);
  return rule;
}
