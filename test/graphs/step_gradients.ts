// The gradient a training step applies, checked against its own forward (JAX's check_vjp on a whole
// step): with SGD at lr 1 and no momentum or weight decay, updated p = p - g, so g = p - updated p;
// <t, g> is compared with (loss(p + eps t) - loss(p - eps t)) / 2 eps, the loss being the step's own
// output, along a seeded direction t scaled to each parameter's root mean square.

import { defaultOptimizer, type OptimizerConfig } from '../../src/optim/index.ts';
import type { BuiltGraph } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { Rng } from '../../src/data/rng.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';

/** The optimizer under which a step's update is its negative gradient at lr 1. */
export const PLAIN_SGD: OptimizerConfig = { ...defaultOptimizer('sgd'), momentum: 0, weightDecay: 0 };

export interface StepGradientCheck {
  loss: number;
  /** <t, g> from the step's update. */
  analytic: number;
  /** The central difference of the step's loss along t. */
  numeric: number;
  relError: number;
}

export async function checkStepGradient(built: BuiltGraph, feeds: Record<string, HostTensor>, state: ReadonlyMap<string, HostTensor>, eps = 1e-3, seed = 7, only?: (name: string) => boolean): Promise<StepGradientCheck> {
  const session = await createCpuSession(serializeStep(built.graph, { outputs: built.outputs, optimizerState: built.optimizerState }), { threads: 2 });
  const run = async (params: ReadonlyMap<string, HostTensor>): Promise<Record<string, HostTensor>> => runHost(session, {
    ...feeds,
    ...Object.fromEntries(built.graph.inputs.filter((v) => params.has(v.name!)).map((v) => [v.name!, params.get(v.name!)!])),
    lr: { dtype: 'float32', dims: [], data: Float32Array.of(1) },
    step: { dtype: 'float32', dims: [], data: Float32Array.of(1) },
  });
  try {
    const trained = built.params.trainable().filter((p) => `updated.${p.name}` in built.outputs && (!only || only(p.name)));
    const out = await run(state);
    const rng = new Rng(seed);
    let analytic = 0;
    const [plus, minus] = [new Map(state), new Map(state)];
    for (const p of trained) {
      const value = state.get(p.name)!.data as Float32Array;
      const updated = out[`updated.${p.name}`]!.data as Float32Array;
      const rms = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
      const g = value.map((v, i) => v - updated[i]!);
      const [scale, gScale] = [rms(value) || 1, rms(g) || 1];
      const t = g.map((gi) => (scale * (gi / gScale + rng.uniform(-Math.sqrt(3), Math.sqrt(3)))) / Math.SQRT2);
      for (let i = 0; i < value.length; i++) analytic += t[i]! * (value[i]! - updated[i]!);
      plus.set(p.name, { dtype: 'float32', dims: [...p.shape], data: value.map((v, i) => v + eps * t[i]!) });
      minus.set(p.name, { dtype: 'float32', dims: [...p.shape], data: value.map((v, i) => v - eps * t[i]!) });
    }
    const lossOf = async (params: ReadonlyMap<string, HostTensor>): Promise<number> => Number((await run(params)).loss!.data[0]);
    const numeric = ((await lossOf(plus)) - (await lossOf(minus))) / (2 * eps);
    const loss = Number(out.loss!.data[0]);
    return { loss, analytic, numeric, relError: Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-6) };
  } finally {
    await session.release();
  }
}
