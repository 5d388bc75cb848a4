export { grad, GradError } from './grad.ts';
export { RULES, NON_DIFFERENTIABLE, type DifferentiableOp } from './registry.ts';
export { sumToShape, zerosLike } from './helpers.ts';
export { batchNormTraining } from './fused/batch_norm_training.ts';
export { withCustomVjp, type CustomVjp } from './custom_vjp.ts';
export { recomputeInBackward } from './recompute.ts';
