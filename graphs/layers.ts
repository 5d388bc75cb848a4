// Building blocks shared by the model family: conv, batch norm (training mode: primitives with one
// closed-form gradient, src/autodiff/fused/batch_norm_training.ts), linear. Shapes are NCHW.

import * as b from '../src/onnx/index.ts';
import { batchNormTraining, recomputeInBackward } from '../src/autodiff/index.ts';
import type { Value } from '../src/onnx/index.ts';
import type { Params } from './params.ts';

export interface LayerContext {
  params: Params;
  /** Training mode: batch statistics in BatchNorm, running statistics updated as graph outputs. */
  training: boolean;
}

export interface Conv2dOptions {
  kernel: number;
  stride?: number;
  padding?: number;
  bias?: boolean;
}

/** Conv2d with PyTorch's ResNet init (kaiming normal, fan_out, relu). x [N, Cin, H, W] -> [N, Cout, Ho, Wo]. */
export function conv2d(ctx: LayerContext, name: string, x: Value, cin: number, cout: number, o: Conv2dOptions): Value {
  const g = ctx.params.graph;
  return g.scope(name, () => {
    const k = o.kernel;
    const w = ctx.params.param('weight', [cout, cin, k, k], { kind: 'kaiming_normal', fan: cout * k * k });
    const bias = o.bias ? ctx.params.param('bias', [cout], { kind: 'uniform', bound: 1 / Math.sqrt(cin * k * k) }, { decay: false }) : undefined;
    const p = o.padding ?? 0;
    const s = o.stride ?? 1;
    return b.conv(x, w, bias, { strides: [s, s], pads: [p, p, p, p] });
  });
}

export interface BatchNormOptions {
  eps?: number;
  /** PyTorch's momentum: running = (1 - m) * running + m * batch. */
  momentum?: number;
  /**
   * A ReLU after it. In training, the backward rebuilds the ReLU's output from what the batch norm's
   * gradient keeps anyway (the centred input) instead of keeping it through the step for the ReLU's
   * and the next Conv's gradients: one activation fewer kept per layer for two elementwise passes.
   */
  relu?: boolean;
}

/** A batch norm's affine parameters and running-statistics buffers, all [C]. */
export interface BatchNormState {
  gamma: Value;
  beta: Value;
  runningMean: Value;
  runningVar: Value;
}

/**
 * BatchNorm2d over [N, C, H, W]. Training: normalise with the batch mean and biased variance, update the
 * running variance with the unbiased one (as PyTorch does). Inference: the ONNX op with running stats.
 */
export function batchNorm2d(ctx: LayerContext, name: string, x: Value, channels: number, o: BatchNormOptions = {}): Value {
  const { params } = ctx;
  return params.graph.scope(name, () => {
    const gamma = params.param('weight', [channels], { kind: 'ones' }, { decay: false });
    const beta = params.param('bias', [channels], { kind: 'zeros' }, { decay: false });
    const runningMean = params.buffer('running_mean', [channels], { kind: 'zeros' });
    const runningVar = params.buffer('running_var', [channels], { kind: 'ones' });
    return batchNormApply(ctx, x, { gamma, beta, runningMean, runningVar }, o);
  });
}

/** batchNorm2d's forward on parameters and buffers declared elsewhere (an imported model's). */
export function batchNormApply(ctx: LayerContext, x: Value, s: BatchNormState, o: BatchNormOptions = {}): Value {
  const { params } = ctx;
  const eps = o.eps ?? 1e-5;
  const m = o.momentum ?? 0.1;
  if (!ctx.training) {
    const y = b.batchNormInference(x, s.gamma, s.beta, s.runningMean, s.runningVar, eps);
    return o.relu ? b.relu(y) : y;
  }

  const { y, mean, variance, rebuild } = batchNormTraining(x, s.gamma, s.beta, eps);
  const channels = b.staticShape(s.runningMean.shape, 'batchNorm2d running mean')[0]!;
  const n = b.staticShape(x.shape, 'batchNorm2d in training mode').reduce((a, d, i) => (i === 1 ? a : a * d), 1);
  const unbiased = b.mul(b.stopGradient(variance), n / Math.max(n - 1, 1));
  params.updateBuffer(s.runningMean, b.add(b.mul(s.runningMean, 1 - m), b.mul(b.reshape(b.stopGradient(mean), [channels]), m)));
  params.updateBuffer(s.runningVar, b.add(b.mul(s.runningVar, 1 - m), b.mul(unbiased, m)));
  return o.relu ? recomputeInBackward(b.relu(y), () => b.relu(rebuild())) : y;
}

/** Linear layer with PyTorch's default init. x [N, in] -> [N, out]. */
export function linear(ctx: LayerContext, name: string, x: Value, inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}): Value {
  const { params } = ctx;
  return params.graph.scope(name, () => {
    const bound = 1 / Math.sqrt(inFeatures);
    const w = params.param('weight', [outFeatures, inFeatures], { kind: 'uniform', bound });
    const bias = options.bias === false ? undefined : params.param('bias', [outFeatures], { kind: 'uniform', bound }, { decay: false });
    return b.gemm(x, w, bias, { transB: true });
  });
}

/** Row-wise L2 normalisation: x / max(||x||_2, eps), x [N, D]. */
export function l2Normalize(x: Value, eps = 1e-12): Value {
  const norm = b.reduceL2(x, [1], true);
  return b.div(x, b.max(norm, eps));
}
