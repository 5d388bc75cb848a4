export { grad, GradError } from './grad.ts';
export { RULES, NON_DIFFERENTIABLE, type DifferentiableOp } from './registry.ts';
export { sumToShape, zerosLike } from './helpers.ts';
