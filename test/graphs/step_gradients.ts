// The gradient a training step applies, checked against its own forward (JAX's check_vjp on a whole
// step): with SGD at lr 1 and no momentum or weight decay, updated p = p - g, so g = p - updated p;
// <t, g> is compared with (loss(p + eps t) - loss(p - eps t)) / 2 eps, the loss being the step's own
// output, along a seeded direction t scaled to each parameter's root mean square. The step eps along t
// is sized so that its first-order change of the loss is 1e-3 of the loss: a fixed eps is too long for
// networks without normalisation at random weights (torchvision's ResNet-18 with BatchNorm folded: a
// fixed 1e-3 gave relative errors 0.15 / 0.45 for CE / SupCon, shrinking to 1e-3 / 2e-5 at 1e-5).

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
  /** The step along t the central difference took. */
  eps: number;
}

export async function checkStepGradient(built: BuiltGraph, feeds: Record<string, HostTensor>, state: ReadonlyMap<string, HostTensor>): Promise<StepGradientCheck> {
  const session = await createCpuSession(serializeStep(built.graph, { outputs: built.outputs, optimizerState: built.optimizerState }), { threads: 2 });
  const run = async (params: ReadonlyMap<string, HostTensor>): Promise<Record<string, HostTensor>> => runHost(session, {
    ...feeds,
    ...Object.fromEntries(built.graph.inputs.filter((v) => params.has(v.name!)).map((v) => [v.name!, params.get(v.name!)!])),
    lr: { dtype: 'float32', dims: [], data: Float32Array.of(1) },
    step: { dtype: 'float32', dims: [], data: Float32Array.of(1) },
  });
  try {
    const trained = built.params.trainable().filter((p) => `updated.${p.name}` in built.outputs);
    const out = await run(state);
    const rng = new Rng(7);
    let analytic = 0;
    const directions = new Map<string, Float32Array>();
    for (const p of trained) {
      const value = state.get(p.name)!.data as Float32Array;
      const updated = out[`updated.${p.name}`]!.data as Float32Array;
      const rms = (v: Float32Array): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0) / v.length);
      const g = value.map((v, i) => v - updated[i]!);
      const [scale, gScale] = [rms(value) || 1, rms(g) || 1];
      const t = g.map((gi) => (scale * (gi / gScale + rng.uniform(-Math.sqrt(3), Math.sqrt(3)))) / Math.SQRT2);
      for (let i = 0; i < value.length; i++) analytic += t[i]! * (value[i]! - updated[i]!);
      directions.set(p.name, t);
    }
    const along = (eps: number): Map<string, HostTensor> => {
      const moved = new Map(state);
      for (const [name, t] of directions) {
        const value = state.get(name)!;
        moved.set(name, { ...value, data: (value.data as Float32Array).map((v, i) => v + eps * t[i]!) });
      }
      return moved;
    };
    const lossOf = async (params: ReadonlyMap<string, HostTensor>): Promise<number> => Number((await run(params)).loss!.data[0]);
    const loss = Number(out.loss!.data[0]);
    const eps = Math.min(1e-3, (1e-3 * Math.max(Math.abs(loss), 1)) / Math.max(Math.abs(analytic), 1e-6));
    const numeric = ((await lossOf(along(eps))) - (await lossOf(along(-eps)))) / (2 * eps);
    return { loss, analytic, numeric, eps, relError: Math.abs(analytic - numeric) / Math.max(Math.abs(analytic), Math.abs(numeric), 1e-6) };
  } finally {
    await session.release();
  }
}
