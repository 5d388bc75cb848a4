// Parameters and buffers of a model: graph inputs named PyTorch-style (`encoder.layer1.0.conv1.weight`)
// with their initialisers, so that a step graph, its initial values and a checkpoint agree on names.

import type { Graph, Value } from '../src/onnx/index.ts';

export type Init =
  | { kind: 'zeros' }
  | { kind: 'ones' }
  /** PyTorch's kaiming_normal_(mode='fan_out', nonlinearity='relu'): std = sqrt(2 / fan). */
  | { kind: 'kaiming_normal'; fan: number }
  /** U(-bound, bound); PyTorch's default Linear/Conv init uses bound = 1 / sqrt(fan_in). */
  | { kind: 'uniform'; bound: number }
  /** The values of an imported model's tensor `from` (`model.onnx:onnx::Conv_193`). */
  | { kind: 'imported'; from: string; data: Float32Array };

export interface ParamInfo {
  readonly name: string;
  readonly value: Value;
  readonly shape: readonly number[];
  readonly init: Init;
  /** 'param' is trained by gradients; 'buffer' (BatchNorm running statistics) is updated by the forward pass. */
  readonly role: 'param' | 'buffer';
  /** Whether weight decay applies (off for biases and BatchNorm affine parameters, as is usual with LARS). */
  readonly decay: boolean;
}

/** Collects the parameters a model declares and the buffer updates its forward pass computes. */
export class Params {
  readonly list: ParamInfo[] = [];
  /** New values of buffers computed by a training-mode forward pass, by buffer name. */
  readonly bufferUpdates = new Map<string, Value>();

  constructor(readonly graph: Graph) {}

  param(local: string, shape: readonly number[], init: Init, options: { decay?: boolean } = {}): Value {
    return this.declare(local, shape, init, 'param', options.decay ?? true);
  }

  buffer(local: string, shape: readonly number[], init: Init): Value {
    return this.declare(local, shape, init, 'buffer', false);
  }

  updateBuffer(buffer: Value, next: Value): void {
    if (!buffer.name || !this.list.some((p) => p.value === buffer && p.role === 'buffer')) {
      throw new Error(`updateBuffer: ${buffer} is not a buffer of this model`);
    }
    this.bufferUpdates.set(buffer.name, next);
  }

  /** Parameters trained by gradients, optionally only those whose name passes `filter`. */
  trainable(filter: (name: string) => boolean = () => true): ParamInfo[] {
    return this.list.filter((p) => p.role === 'param' && filter(p.name));
  }

  count(filter: (name: string) => boolean = () => true): number {
    return this.list.filter((p) => p.role === 'param' && filter(p.name)).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  }

  private declare(local: string, shape: readonly number[], init: Init, role: ParamInfo['role'], decay: boolean): Value {
    const value = this.graph.input(local, 'float32', shape);
    this.list.push({ name: value.name!, value, shape, init, role, decay });
    return value;
  }
}

/**
 * The parameters of a second copy of a model that runs in training mode but keeps no running statistics
 * (the momentum encoder of the memory queue): its buffers are constants that nothing reads, so they are
 * neither graph inputs nor state.
 */
export class ParamsWithoutBuffers extends Params {
  override buffer(_local: string, shape: readonly number[]): Value {
    const n = shape.reduce((a, d) => a * d, 1);
    return this.graph.constant(new Float32Array(n), 'float32', shape);
  }

  override updateBuffer(): void {}
}
