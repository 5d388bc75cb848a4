// Inference-mode passes over a dataset: encoder embeddings (kNN evaluation, stage-2 features, report
// maps) and logits (test accuracy), through the eval graphs with the current training state fed as inputs.
// They need only the model, its state and how images become inputs (`EvalInputs`), so a training run
// and `eval` of a finished one call the same functions.

import type { ModelConfig } from '../../graphs/config.ts';
import { l2Normalize } from '../../graphs/layers.ts';
import { type BuiltGraph, buildEmbed, buildLogits } from '../../graphs/stages.ts';
import { BatchBuilder } from '../data/batch_builder.ts';
import * as b from '../onnx/index.ts';
import { Rng, type Dataset, type MeanStd } from '../data/index.ts';
import type { SessionFactory, StepSession } from '../runtime/step_runner.ts';
import { type HostTensor, fromOrt, toOrt } from '../runtime/session.ts';
import { accuracy, knnAccuracy, predictions } from './eval_metrics.ts';

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

  /** Frees the session's native memory now rather than whenever the collector gets to it. */
  async release(): Promise<void> {
    await this.session.release?.();
  }

  /** Runs `use` with this model, then releases it. */
  async use<T>(use: (model: EvalModel) => Promise<T>): Promise<T> {
    try {
      return await use(this);
    } finally {
      await this.release();
    }
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

/** How images become model inputs, and where the model runs. */
export interface EvalInputs {
  sessions: SessionFactory;
  norm: MeanStd;
  /** The model's input side (datasets may store larger images). */
  size: number;
}

/** Runs `model` over `ids` of `dataset` without augmentation (resized to the input side), `batchSize` images at a time. */
export async function runOverDataset(model: EvalModel, dataset: Dataset, ids: Int32Array, inputs: Omit<EvalInputs, 'sessions'>, batchSize = 500): Promise<DatasetOutputs> {
  const { norm, size } = inputs;
  const builder = new BatchBuilder({ views: ['none'], mean: norm.mean, std: norm.std, seed: 0 }, size, dataset.channels);
  const parts = new Map<string, Float32Array[]>();
  const dims = new Map<string, number>();
  for (let start = 0; start < ids.length; start += batchSize) {
    const batchIds = ids.subarray(start, start + batchSize);
    const { views } = await builder.build(dataset, batchIds, 0);
    const out = await model.run(views[0]!, [batchIds.length, dataset.channels, size, size]);
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

export interface TestResult {
  accuracy: number;
  predicted: Int32Array;
  labels: Int32Array;
}

const allIds = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** Accuracy of the logits graph of `model` with `state` over every image of `dataset`. */
export async function classify(model: ModelConfig, state: ReadonlyMap<string, HostTensor>, dataset: Dataset, inputs: EvalInputs): Promise<TestResult> {
  const out = await (await EvalModel.create(buildLogits(model), state, inputs.sessions)).use((logits) => runOverDataset(logits, dataset, allIds(dataset.length), inputs));
  const predicted = predictions(out.outputs.logits!.data, dataset.classes.length);
  return { accuracy: accuracy(predicted, out.labels), predicted, labels: out.labels };
}

/** Encoder embeddings (`embedding`, and `projection` when the model has a head) of `ids`. */
export async function embed(model: ModelConfig, state: ReadonlyMap<string, HostTensor>, dataset: Dataset, ids: Int32Array, inputs: EvalInputs): Promise<DatasetOutputs> {
  return (await EvalModel.create(buildEmbed(model), state, inputs.sessions)).use((embedder) => runOverDataset(embedder, dataset, ids, inputs));
}

export interface KnnSample {
  train: Dataset;
  test: Dataset;
  bankIds: Int32Array;
  queryIds: Int32Array;
  k: number;
}

/** kNN accuracy of the encoder embeddings: `queryIds` of the test split against `bankIds` of the train split. */
export async function knnEval(model: ModelConfig, state: ReadonlyMap<string, HostTensor>, sample: KnnSample, inputs: EvalInputs): Promise<number> {
  const [bank, queries] = await (await EvalModel.create(buildEmbed({ ...model, head: 'none' }), state, inputs.sessions)).use(async (embedder) => [
    await runOverDataset(embedder, sample.train, sample.bankIds, inputs),
    await runOverDataset(embedder, sample.test, sample.queryIds, inputs),
  ]);
  const sims = await cosineSimilarities(bank.outputs.embedding!, queries.outputs.embedding!, inputs.sessions);
  return knnAccuracy(sims, bank.labels, queries.labels, sample.train.classes.length, { k: sample.k });
}

/** [q, b] cosine similarities of query rows to bank rows, one MatMul in a session (2000 x 10000 x 64: ~3.5 s as a host loop). */
async function cosineSimilarities(bank: DatasetOutputs['outputs'][string], queries: DatasetOutputs['outputs'][string], sessions: SessionFactory): Promise<Float32Array> {
  const g = new b.Graph();
  const rows = (name: string, data: Float32Array, dim: number): b.Value => l2Normalize(g.input(name, 'float32', [data.length / dim, dim]));
  const sims = b.matmul(rows('queries', queries.data, queries.dim), b.transpose(rows('bank', bank.data, bank.dim), [1, 0]));
  const session = await sessions({ graph: g, options: { outputs: { sims } } });
  try {
    const feed = (data: Float32Array, dim: number) => toOrt({ dtype: 'float32', dims: [data.length / dim, dim], data });
    return fromOrt((await session.run({ queries: feed(queries.data, queries.dim), bank: feed(bank.data, bank.dim) })).sims!).data as Float32Array;
  } finally {
    await session.release?.();
  }
}
