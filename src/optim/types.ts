// Optimizer configurations (PyTorch's hyper-parameters and names) and the shape of an update emitter:
// an optimizer turns (param, grad, state, lr, step) into graph ops computing the new param and state.

import * as b from '../onnx/index.ts';
import type { Value } from '../onnx/index.ts';

/** torch.optim.SGD. Without momentum there is no state; with it, `<param>.momentum_buffer`. */
export interface SgdConfig {
  kind: 'sgd';
  momentum: number;
  nesterov: boolean;
  weightDecay: number;
  /** 0 when absent, as in PyTorch. */
  dampening?: number;
}

/** torch.optim.Adam (L2 added to the gradient) or AdamW (decoupled decay `p -= lr * wd * p`); no amsgrad. */
export interface AdamConfig {
  kind: 'adam' | 'adamw';
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

/** torch.optim.RMSprop. */
export interface RmspropConfig {
  kind: 'rmsprop';
  alpha: number;
  eps: number;
  momentum: number;
  centered: boolean;
  weightDecay: number;
}

/**
 * LARS (You et al. 2017, "Large Batch Training of Convolutional Networks", as torchlars wraps SGD):
 * local_lr = trust * ||p|| / (||g|| + wd * ||p|| + eps) for params with `decay`; others plain SGD momentum.
 */
export interface LarsConfig {
  kind: 'lars';
  momentum: number;
  weightDecay: number;
  trustCoefficient: number;
  eps: number;
}

export type OptimizerConfig = SgdConfig | AdamConfig | RmspropConfig | LarsConfig;
export type OptimizerKind = OptimizerConfig['kind'];
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'lars'];
export type ConfigOf<K extends OptimizerKind> = K extends AdamConfig['kind'] ? AdamConfig & { kind: K } : Extract<OptimizerConfig, { kind: K }>;

/** Names of the per-parameter state tensors, PyTorch's: `<param>.<slot>`; each has the param's shape. */
export type StateSlot = 'momentum_buffer' | 'exp_avg' | 'exp_avg_sq' | 'square_avg' | 'grad_avg';

export interface UpdateInput {
  /** Current parameter, any shape S. */
  param: Value;
  /** d loss / d param, shape S. */
  grad: Value;
  /** Current state by slot, each of shape S (zeros before the first step). */
  state: Readonly<Partial<Record<StateSlot, Value>>>;
  /** Learning rate of this step, float32 []. */
  lr: Value;
  /** 1-based count of this step, float32 [] (Adam's bias correction, SGD's first-step buffer). */
  step: Value;
  /** Whether weight decay (and, for LARS, layer adaptation) applies to this parameter. */
  decay: boolean;
}

export interface UpdateOutput {
  param: Value;
  state: Partial<Record<StateSlot, Value>>;
}

export interface Optimizer<C extends OptimizerConfig> {
  /** The state slots this configuration keeps per parameter, in a fixed order. */
  slots(config: C): StateSlot[];
  /** Emits the update ops for one parameter. */
  update(config: C, input: UpdateInput): UpdateOutput;
}

/** The state tensor of `slot`, which the caller declared from `slots()`. */
export function slotOf(input: UpdateInput, slot: StateSlot): Value {
  const v = input.state[slot];
  if (!v) throw new Error(`optimizer state ${slot} missing for ${input.param}`);
  return v;
}

/** g + wd * p where weight decay applies to this parameter (PyTorch's coupled L2), else g. */
export function withL2(input: UpdateInput, weightDecay: number): Value {
  return input.decay && weightDecay !== 0 ? b.add(input.grad, b.mul(input.param, weightDecay)) : input.grad;
}

/**
 * PyTorch's defaults per kind (torch.optim.SGD, Adam, AdamW, RMSprop). LARS has no PyTorch class: momentum
 * and weight decay are the SupContrast reference's (0.9, 1e-4), trust coefficient and eps torchlars'.
 */
export function defaultOptimizer<K extends OptimizerKind>(kind: K): ConfigOf<K>;
export function defaultOptimizer(kind: OptimizerKind): OptimizerConfig {
  switch (kind) {
    case 'sgd': return { kind, momentum: 0, nesterov: false, weightDecay: 0, dampening: 0 };
    case 'adam': return { kind, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 };
    case 'adamw': return { kind, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
    case 'rmsprop': return { kind, alpha: 0.99, eps: 1e-8, momentum: 0, centered: false, weightDecay: 0 };
    case 'lars': return { kind, momentum: 0.9, weightDecay: 1e-4, trustCoefficient: 0.001, eps: 1e-8 };
  }
}
