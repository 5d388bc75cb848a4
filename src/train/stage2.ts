// Stage 2: the encoder is frozen and a linear classifier is trained with cross-entropy on its output.
// Without augmentation the encoder runs once over the data (precomputed features) and every epoch is a
// few small matrix products; with augmentation each step runs the frozen encoder on fresh views.

import { buildEmbed, buildLogits, buildStage2, buildStage2Features } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { DataLoader, Rng } from '../data/index.ts';
import { initialState } from '../runtime/init.ts';
import type { HostTensor } from '../runtime/session.ts';
import { StepRunner } from '../runtime/step_runner.ts';
import type { StageSummary } from './checkpoint.ts';
import { EvalModel, runOverDataset, sampleIds } from './evaluate.ts';
import { loaderBatches } from './feeds.ts';
import { accuracy, predictions } from './eval_metrics.ts';
import { type StageLoopSpec, type StepBatch, runStageLoop } from './loop.ts';
import { type RunContext, cappedSteps, checkpointNow, resumeFor, stageModel } from './run_context.ts';

type Batches = StageLoopSpec['batches'];

export interface TestResult {
  accuracy: number;
  predicted: Int32Array;
  labels: Int32Array;
}

/** Test accuracy of the logits graph with `state` over the whole test split. */
export async function testAccuracy(ctx: RunContext, state: ReadonlyMap<string, HostTensor>): Promise<TestResult> {
  const { test } = ctx.data;
  const model = await EvalModel.create(buildLogits(stageModel(ctx, 1)), state, ctx.sessions);
  const ids = Int32Array.from({ length: test.length }, (_, i) => i);
  const out = await runOverDataset(model, test, ids, ctx.data.norm);
  const predicted = predictions(out.outputs.logits!.data, test.classes.length);
  return { accuracy: accuracy(predicted, out.labels), predicted, labels: out.labels };
}

/** Host-side logits of a linear classifier on feature rows, for the per-epoch accuracy on features. */
function linearAccuracy(state: ReadonlyMap<string, HostTensor>, features: Float32Array, dim: number, labels: Int32Array, classes: number): number {
  const w = state.get('classifier.weight')!.data as Float32Array; // [classes, dim]
  const bias = state.get('classifier.bias')!.data as Float32Array;
  const n = labels.length;
  const logits = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      let s = bias[c]!;
      for (let j = 0; j < dim; j++) s += features[i * dim + j]! * w[c * dim + j]!;
      logits[i * classes + c] = s;
    }
  }
  return accuracy(predictions(logits, classes), labels);
}

/** Shuffled batches of precomputed feature rows, the order a function of (seed, epoch) only. */
function featureBatches(features: Float32Array, dim: number, labels: Int32Array, batchSize: number, seed: number): Batches {
  return async function* (epoch, startBatch) {
    const order = sampleIds(labels.length, labels.length, new Rng(seed).fork(epoch).int(2 ** 31));
    for (let start = startBatch * batchSize; start + batchSize <= order.length; start += batchSize) {
      const rows = new Float32Array(batchSize * dim);
      const y = new BigInt64Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        const id = order[start + i]!;
        rows.set(features.subarray(id * dim, (id + 1) * dim), i * dim);
        y[i] = BigInt(labels[id]!);
      }
      const batch: StepBatch = {
        feeds: { features: { dtype: 'float32', dims: [batchSize, dim], data: rows }, labels: { dtype: 'int64', dims: [batchSize], data: y } },
        images: batchSize,
      };
      yield batch;
    }
  };
}

/** Runs stage 2 on the stage-1 encoder; returns the summary and the full inference state (encoder + classifier). */
export async function trainStage2(ctx: RunContext, encoderState: ReadonlyMap<string, HostTensor>): Promise<{ summary: StageSummary; state: Map<string, HostTensor> }> {
  const { config, data } = ctx;
  const stage = config.stage2;
  const model = stageModel(ctx, stage.batchSize);
  const precompute = stage.augmentation === 'none';
  const built = precompute ? buildStage2Features(model) : buildStage2(model);
  const resume = resumeFor(ctx, 'stage2');
  const state = resume?.state ?? initialState(built.params.list, built.optimizerState, config.seed + 7);
  if (!resume) for (const p of built.params.list) if (p.name.startsWith('encoder.')) state.set(p.name, encoderState.get(p.name)!);
  const runner = await StepRunner.create(serializeStep(built.graph, built), state, { feeds: [precompute ? 'features' : 'images', 'labels'], session: ctx.sessions });
  const withEncoder = async (): Promise<Map<string, HostTensor>> => new Map([...encoderState, ...(await runner.state())]);

  let batches: Batches;
  let stepsPerEpoch: number;
  let evaluate: () => Promise<Record<string, number>>;
  let loader: DataLoader | undefined;
  if (precompute) {
    process.stderr.write('stage2: computing encoder features of the train and test splits\n');
    const embed = await EvalModel.create(buildEmbed(model), encoderState, ctx.sessions);
    const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);
    const train = await runOverDataset(embed, data.train, all(data.train.length), data.norm);
    const test = await runOverDataset(embed, data.test, all(data.test.length), data.norm);
    const { data: trainFeatures, dim } = train.outputs.embedding!;
    batches = featureBatches(trainFeatures, dim, train.labels, stage.batchSize, config.seed + 3);
    stepsPerEpoch = cappedSteps(ctx, Math.floor(data.train.length / stage.batchSize), stage.batchSize);
    evaluate = async () => ({ test_accuracy: linearAccuracy(await runner.state(), test.outputs.embedding!.data, dim, test.labels, data.train.classes.length) });
  } else {
    const l = new DataLoader(data.train, {
      batchSize: stage.batchSize, seed: config.seed + 3, views: [stage.augmentation], mean: data.norm.mean, std: data.norm.std, workers: config.workers,
    });
    loader = l;
    batches = loaderBatches(l, data.train);
    stepsPerEpoch = cappedSteps(ctx, l.batchesPerEpoch(), stage.batchSize);
    evaluate = async () => ({ test_accuracy: (await testAccuracy(ctx, await withEncoder())).accuracy });
  }

  try {
    const result = await runStageLoop({
      stage: 'stage2', runner, epochs: stage.epochs, stepsPerEpoch, batches, baseLr: stage.lr, schedule: stage.schedule,
      start: resume?.manifest.position ?? { stage: 'stage2', epoch: 0, batch: 0, step: 0 },
      log: ctx.log, checkpointEvery: config.checkpointEvery,
      checkpoint: async (position) => checkpointNow(ctx, await runner.state(), position),
      evaluate,
    });
    const summary: StageSummary = {
      stage: 'stage2', epochs: stage.epochs, steps: result.steps, finalLoss: result.finalLoss, seconds: result.seconds,
      imagesPerSecond: result.imagesPerSecond, metrics: { ...result.lastEval, step_images_per_s: result.stepImagesPerSecond },
    };
    return { summary, state: await withEncoder() };
  } finally {
    await loader?.close();
  }
}
