// Runs a built step graph for a few steps on a fixed batch through StepRunner (CPU), for the tests
// that check that the loss falls; runners of fused and split steps from their initial state.

import * as b from '../../src/onnx/index.ts';
import { conv2d, l2Normalize, linear } from '../../graphs/layers.ts';
import type { Recipe } from '../../graphs/recipes.ts';
import { type SplitStep, splitModels } from '../../graphs/split_step.ts';
import { type BuiltGraph } from '../../graphs/stages.ts';
import { serializeStep, stepModel } from '../../graphs/step.ts';
import { initialState } from '../../src/runtime/init.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import { SplitStepRunner } from '../../src/runtime/split_runner.ts';
import { type Stepper, StepRunner, cpuSessionFactory } from '../../src/runtime/step_runner.ts';
import { seeded } from './reference.ts';

export interface Trained {
  losses: number[];
  /** Metrics (non-loss outputs) of the last step. */
  last: Record<string, number>;
  runner: StepRunner;
}

export async function trainFixedBatch(built: BuiltGraph, feeds: Record<string, HostTensor>, steps: number, lr: number, initial?: Map<string, HostTensor>): Promise<Trained> {
  const bytes = serializeStep(built.graph, { outputs: built.outputs, optimizerState: built.optimizerState });
  const state = initial ?? initialState(built.params.list, built.optimizerState, 1);
  if (initial) for (const [k, v] of initialState([], built.optimizerState, 0)) state.set(k, v);
  const runner = await StepRunner.create(bytes, state, { feeds: Object.keys(feeds), session: cpuSessionFactory({ threads: 2 }) });
  const losses: number[] = [];
  let last: Record<string, number> = {};
  for (let s = 1; s <= steps; s++) {
    const r = await runner.run(feeds, lr, s);
    losses.push(r.loss);
    last = Object.fromEntries(Object.entries(r.outputs).map(([k, v]) => [k, Number(v.data[0])]));
  }
  return { losses, last, runner };
}

/** Images [count, C, S, S] of class-dependent patterns plus seeded noise; `labels` gives each image's class. */
export function patternImages(labels: readonly number[], channels: number, size: number, seed: number, noise = 0.3): HostTensor {
  const rand = seeded(seed);
  const data = new Float32Array(labels.length * channels * size * size);
  labels.forEach((label, n) => {
    for (let c = 0; c < channels; c++) {
      for (let y = 0; y < size; y++) {
        for (let x = 0; x < size; x++) {
          const pattern = Math.sin((x * (label + 1) + y * (c + 1)) * 0.7) * Math.cos(y * 0.3 * (label + 1));
          data[((n * channels + c) * size + y) * size + x] = pattern + noise * (rand() * 2 - 1);
        }
      }
    }
  });
  return { dtype: 'float32', dims: [labels.length, channels, size, size], data };
}

export const int64 = (values: readonly number[]): HostTensor => ({ dtype: 'int64', dims: [values.length], data: BigInt64Array.from(values, (v) => BigInt(v)) });

/** The initial state of a step (params and buffers from seed 1, then optimizer and other state). */
export function startState(built: BuiltGraph | SplitStep, seed = 1): Map<string, HostTensor> {
  return initialState(built.params.list, [...built.optimizerState, ...built.extraState], seed);
}

/** A runner of either kind of step on 2 CPU threads, fed `images` and `labels`. */
export async function stepperFor(built: BuiltGraph | SplitStep, state = startState(built)): Promise<Stepper> {
  const options = { feeds: ['images', 'labels'], session: cpuSessionFactory({ threads: 2 }) };
  return 'gradient' in built ? SplitStepRunner.create(splitModels(built), state, options) : StepRunner.create(stepModel(built.graph, built), state, options);
}

/** Views stacked view-major as stage 1 takes them: views [N, C, S, S] each -> [V * N, C, S, S]. */
export function stackViews(views: readonly HostTensor[]): HostTensor {
  const [first] = views;
  if (!first) throw new Error('stackViews: no views');
  const data = new Float32Array(views.length * first.data.length);
  views.forEach((v, i) => data.set(v.data as Float32Array, i * first.data.length));
  return { dtype: 'float32', dims: [views.length * first.dims[0]!, ...first.dims.slice(1)], data };
}

export const floats = (t: HostTensor): number[] => Array.from(t.data, Number);

/** A recipe's tower replaced by conv (with bias) -> ReLU -> global average pool -> linear: no BatchNorm, so chunks cannot change its gradient. */
export function withoutBatchNorm(recipe: Recipe, outDim: number, unit: boolean): Recipe {
  return {
    ...recipe,
    rowDim: outDim,
    tower: (ctx, images) => {
      const channels = Number(images.shape[1]);
      const h = b.relu(conv2d(ctx, 'conv', images, channels, 5, { kernel: 3, padding: 1, bias: true }));
      const rows = linear(ctx, 'head', b.flatten(b.globalAveragePool(h), 1), 5, outDim);
      return unit ? l2Normalize(rows) : rows;
    },
  };
}
