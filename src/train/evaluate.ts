// Inference-mode passes over a dataset: encoder embeddings (kNN evaluation, stage-2 features, report
// maps) and logits (test accuracy), through the eval graphs with the current training state fed as inputs.

import type { BuiltGraph } from '../../graphs/stages.ts';
import { BatchBuilder } from '../data/batch_builder.ts';
import { Rng, type Dataset, type MeanStd } from '../data/index.ts';
import type { SessionFactory, StepSession } from '../runtime/step_runner.ts';
import { type HostTensor, fromOrt, toOrt } from '../runtime/session.ts';

export class EvalModel {
  private constructor(
    private readonly session: StepSession,
    private readonly inputName: string,
    private readonly fixed: Record<string, ReturnType<typeof toOrt>>,
  ) {}

  /** An eval graph (`embed` or `logits`) with parameters and buffers taken from `state`. */
  static async create(built: BuiltGraph, state: ReadonlyMap<string, HostTensor>, sessions: SessionFactory): Promise<EvalModel> {
    const session = await sessions({ graph: built.graph, options: { outputs: built.outputs, pruneInputs: true } });
    const fixed: Record<string, ReturnType<typeof toOrt>> = {};
    let inputName = '';
    for (const name of session.inputNames) {
      const t = state.get(name);
      if (t) fixed[name] = toOrt(t);
      else if (inputName) throw new Error(`eval graph ${built.name}: no value for input ${name}`);
      else inputName = name;
    }
    return new EvalModel(session, inputName, fixed);
  }

  /** Runs a batch `input` [n, ...dims] and returns every output on the host. */
  async run(input: Float32Array, dims: readonly number[]): Promise<Record<string, HostTensor>> {
    const out = await this.session.run({ ...this.fixed, [this.inputName]: toOrt({ dtype: 'float32', dims, data: input }) });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, fromOrt(v)]));
  }
}

/** `count` distinct indices of [0, length), seeded (all of them, shuffled, when count >= length). */
export function sampleIds(length: number, count: number, seed: number): Int32Array {
  const ids = Int32Array.from({ length }, (_, i) => i);
  const rng = new Rng(seed);
  for (let i = length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
  }
  return ids.subarray(0, Math.min(count, length));
}

export interface DatasetOutputs {
  /** Each output concatenated over the samples: [n, dim]. */
  outputs: Record<string, { data: Float32Array; dim: number }>;
  labels: Int32Array;
}

/** Runs `model` over `ids` of `dataset` without augmentation, `batchSize` images at a time. */
export async function runOverDataset(model: EvalModel, dataset: Dataset, ids: Int32Array, norm: MeanStd, batchSize = 500): Promise<DatasetOutputs> {
  const builder = new BatchBuilder({ views: ['none'], mean: norm.mean, std: norm.std, seed: 0 }, dataset.size, dataset.channels);
  const parts = new Map<string, Float32Array[]>();
  const dims = new Map<string, number>();
  for (let start = 0; start < ids.length; start += batchSize) {
    const batchIds = ids.subarray(start, start + batchSize);
    const { views } = await builder.build(dataset, batchIds, 0);
    const out = await model.run(views[0]!, [batchIds.length, dataset.channels, dataset.size, dataset.size]);
    for (const [name, t] of Object.entries(out)) {
      dims.set(name, t.dims[1] ?? 1);
      parts.set(name, [...(parts.get(name) ?? []), t.data as Float32Array]);
    }
  }
  const outputs: DatasetOutputs['outputs'] = {};
  for (const [name, list] of parts) {
    const data = new Float32Array(list.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of list) {
      data.set(p, at);
      at += p.length;
    }
    outputs[name] = { data, dim: dims.get(name)! };
  }
  return { outputs, labels: Int32Array.from(ids, (i) => dataset.label(i)) };
}
