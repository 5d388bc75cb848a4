// Training in the page, end to end: from a base model (base_model.ts) and the user's labelled images,
// optional SupCon fine-tuning of the encoder (stage 1, two augmented views per image), then a linear
// classifier on the frozen encoder's features (stage 2, on features computed once), then the same
// model.onnx / model.embed.onnx / model.json that `export` writes. Runs over onnxruntime-web in a Web
// Worker (web/train_worker.ts) and, for the parity tests, in Node.

import type { ModelConfig } from '../../graphs/config.ts';
import { type BuiltGraph, buildEmbed, buildStage1, buildStage2Features } from '../../graphs/stages.ts';
import { buildExportedModels, specFromModelConfig } from '../../src/export/build_models.ts';
import type { Json } from '../../src/export/metadata.ts';
import { initialState } from '../../src/runtime/init.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import { linearAccuracy } from '../../src/train/eval_metrics.ts';
import { type BaseModel, baseModelFromExport } from './base_model.ts';
import { type ImageFormat, type ImageSet, ViewBatches, imageSet, linearOrder, normalised, supconOrder } from './batches.ts';
import { checkClasses } from './classes.ts';
import { TrainError, stageFailure } from './errors.ts';
import type { StageName, TrainEvent, TrainJob, TrainResult } from './job.ts';
import { checkJobOptions } from './options.ts';
import { runStage } from './stage_loop.ts';
import { type PickedBackend, createSession, hostData, modelFor, ort, pickBackend, throwIfGpuFailed } from './web_session.ts';

type Emit = (e: TrainEvent) => void;

/** The graphs/ ModelConfig of a job's stage: the base model's architecture and input, the job's classes. */
export const modelConfig = (base: BaseModel, name: string, numClasses: number, batchSize: number, views: number): ModelConfig => ({
  name, ...base.architecture, batchSize, views, inputSize: base.inputSize, inputChannels: base.channels, numClasses,
  chunkSize: 0, queueSize: 0, queueMomentum: 0, // one graph per step, no memory queue in the page
});

/** Fresh (seeded) values for what the base model does not have (heads, optimizer state), its weights for the encoder. */
function initialFor(built: BuiltGraph, encoder: ReadonlyMap<string, Float32Array>, seed: number): Map<string, HostTensor> {
  const state = initialState(built.params.list, built.optimizerState, seed);
  for (const p of built.params.list) {
    if (!p.name.startsWith('encoder.')) continue;
    const data = encoder.get(p.name);
    const want = p.shape.reduce((a, d) => a * d, 1);
    if (!data) throw new TrainError('model', `model.onnx has no weight ${p.name}, which the encoder its model.json describes needs`);
    if (data.length !== want) throw new TrainError('model', `model.onnx's ${p.name} holds ${data.length} values, the encoder needs [${p.shape.join(', ')}]`);
    state.set(p.name, { dtype: 'float32', dims: [...p.shape], data });
  }
  return state;
}

/** The largest batch of at most `wanted` that `n` images fill (SupCon: even, every class twice). */
function batchFor(wanted: number, n: number, even: boolean): number {
  const batch = Math.max(1, Math.min(Math.floor(wanted), n));
  return even ? Math.max(2, batch - (batch % 2)) : batch;
}

/** Encoder features [n, D] of every image, in chunks, with the encoder's weights frozen into the graph. */
async function encode(cfg: ModelConfig, encoder: ReadonlyMap<string, Float32Array>, sets: readonly ImageSet[], format: ImageFormat, target: PickedBackend): Promise<Float32Array[]> {
  const built = buildEmbed({ ...cfg, head: 'none' });
  const freeze = new Map(built.params.list.map((p) => [p.value, encoder.get(p.name)!]));
  const session = await createSession(modelFor(built.graph, { outputs: { embedding: built.outputs['embedding']! }, freeze, pruneInputs: true }, target), target.backend);
  const per = format.channels * format.size * format.size;
  const CHUNK = 64;
  try {
    const out: Float32Array[] = [];
    for (const set of sets) {
      const pixels = normalised(set, format);
      const n = set.labels.length;
      const parts: Float32Array[] = [];
      for (let start = 0; start < n; start += CHUNK) {
        const count = Math.min(CHUNK, n - start);
        const image = new ort.Tensor('float32', pixels.subarray(start * per, (start + count) * per), [count, format.channels, format.size, format.size]);
        parts.push(await hostData((await session.run({ [session.inputNames[0]!]: image }))['embedding']!));
      }
      const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      parts.reduce((offset, p) => (all.set(p, offset), offset + p.length), 0);
      out.push(all);
    }
    throwIfGpuFailed();
    return out;
  } finally {
    await session.release();
  }
}

/** Runs the job; events report progress. Errors a person can act on are TrainErrors with their advice. */
export async function fineTune(job: TrainJob, emit: Emit = () => {}): Promise<TrainResult> {
  const base = baseModelFromExport(job.base.model, job.base.metadata);
  checkClasses(job.classes, job.train.labels);
  checkJobOptions(job);
  const format: ImageFormat = { size: base.inputSize, channels: base.channels, mean: base.mean, std: base.std };
  const train = imageSet(job.train, format);
  const heldOut = imageSet(job.heldOut, format);
  const picked = await pickBackend(job.backend);
  const { backend } = picked;
  emit({ kind: 'backend', backend, threads: picked.threads, ...(picked.note ? { note: picked.note } : {}) });
  const numClasses = job.classes.length;
  const losses: Record<StageName, number[]> = { supcon: [], stage2: [] };
  const stepsPerSecond: Partial<Record<StageName, number>> = {};
  const guarded = async <T>(stage: string, batchSize: number, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw stageFailure(err, { stage, backend, batchSize });
    }
  };

  let encoder = base.encoderWeights;
  if (job.supcon) {
    const options = job.supcon;
    const batchSize = batchFor(options.batchSize, train.labels.length, true);
    const built = buildStage1(modelConfig(base, job.modelName, numClasses, batchSize, 2));
    const views = new ViewBatches(train, options.augmentation, format, job.seed);
    emit({ kind: 'stage', stage: 'supcon', steps: supconOrder(train.labels, job.seed, 0, batchSize).length * options.epochs, batchSize });
    encoder = await guarded('SupCon fine-tuning', batchSize, async () => {
      const done = await runStage({
        stage: 'supcon', built, initial: initialFor(built, encoder, job.seed), options: { ...options, batchSize }, target: picked, feeds: ['images', 'labels'],
        order: (epoch) => supconOrder(train.labels, job.seed, epoch, batchSize),
        batch: (ids, epoch) => views.feeds(ids, epoch),
      }, emit);
      losses.supcon = done.losses;
      stepsPerSecond.supcon = done.stepsPerSecond;
      try {
        return await done.runner.state([...encoder.keys()]);
      } finally {
        await done.runner.release();
      }
    });
  }

  emit({ kind: 'stage', stage: 'features', steps: 0, batchSize: 0 });
  const evalConfig = modelConfig(base, job.modelName, numClasses, 1, 1);
  const [trainFeatures, heldOutFeatures] = await guarded('computing features', 64, () => encode(evalConfig, encoder, [train, heldOut], format, picked));
  const dim = trainFeatures!.length / train.labels.length;

  const options = job.stage2;
  const batchSize = batchFor(options.batchSize, train.labels.length, false);
  const built = buildStage2Features(modelConfig(base, job.modelName, numClasses, batchSize, 1));
  const heldOutAccuracyOf = async (runner: { state(names: string[]): Promise<Map<string, Float32Array>> }): Promise<number | undefined> => {
    if (heldOut.labels.length === 0) return undefined;
    const s = await runner.state(['classifier.weight', 'classifier.bias']);
    return linearAccuracy(s.get('classifier.weight')!, s.get('classifier.bias')!, heldOutFeatures!, heldOut.labels);
  };
  emit({ kind: 'stage', stage: 'stage2', steps: linearOrder(train.labels, job.seed, 0, batchSize).length * options.epochs, batchSize });
  const classifier = await guarded('the linear classifier', batchSize, async () => {
    const done = await runStage({
      stage: 'stage2', built, initial: initialState(built.params.list, built.optimizerState, job.seed), options: { ...options, batchSize }, target: picked, feeds: ['features', 'labels'],
      order: (epoch) => linearOrder(train.labels, job.seed, epoch, batchSize),
      batch: async (ids) => {
        const rows = new Float32Array(ids.length * dim);
        ids.forEach((id, i) => rows.set(trainFeatures!.subarray(id * dim, (id + 1) * dim), i * dim));
        return {
          features: { dtype: 'float32', dims: [ids.length, dim], data: rows },
          labels: { dtype: 'int64', dims: [ids.length], data: BigInt64Array.from(ids, (id) => BigInt(train.labels[id]!)) },
        };
      },
      afterEpoch: heldOutAccuracyOf,
    }, emit);
    losses.stage2 = done.losses;
    stepsPerSecond.stage2 = done.stepsPerSecond;
    try {
      return { state: await done.runner.state(['classifier.weight', 'classifier.bias']), heldOutAccuracy: (await heldOutAccuracyOf(done.runner)) ?? null };
    } finally {
      await done.runner.release();
    }
  });

  emit({ kind: 'stage', stage: 'export', steps: 0, batchSize: 0 });
  const record: Json = JSON.parse(JSON.stringify({
    ...evalConfig,
    trainedInBrowser: { base: base.name, backend, seed: job.seed, supcon: job.supcon ?? null, stage2: job.stage2, trainImages: train.labels.length, heldOutImages: heldOut.labels.length, heldOutAccuracy: classifier.heldOutAccuracy },
  })) as Json;
  const models = buildExportedModels({
    ...specFromModelConfig(evalConfig),
    weights: new Map([...encoder, ...classifier.state]),
    classes: job.classes,
    mean: base.mean,
    std: base.std,
    modelName: job.modelName,
    config: record,
  });
  return { backend, threads: picked.threads, classifier: models.classifier, embedding: models.embedding, metadata: models.metadata, heldOutAccuracy: classifier.heldOutAccuracy, losses, stepsPerSecond };
}
