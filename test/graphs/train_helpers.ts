// Runs a built step graph for a few steps on a fixed batch through StepRunner (CPU), for the tests
// that check that the loss falls.

import { type BuiltGraph } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { initialState } from '../../src/runtime/init.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import { StepRunner, cpuSessionFactory } from '../../src/runtime/step_runner.ts';
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
