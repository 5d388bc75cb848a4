// Stage 2: the encoder is frozen and a linear classifier is trained with cross-entropy on its output.
// Without augmentation the encoder runs once over the data (precomputed features) and every epoch is a
// few small matrix products; with augmentation each step runs the frozen encoder on fresh views.

import { buildEmbed, buildLogits, buildStage2, buildStage2Features } from '../../graphs/stages.ts';
import { DataLoader, Rng } from '../data/index.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { StepRunner } from '../runtime/step_runner.ts';
import type { StageSummary } from './checkpoint.ts';
import { EvalModel, runOverDataset, sampleIds } from './evaluate.ts';
import { loaderBatches } from './feeds.ts';
import { accuracy, predictions } from './eval_metrics.ts';
import type { StageLoopSpec, StepBatch } from './loop.ts';
import { type RunContext, cappedSteps, stageModel } from './run_context.ts';
import { runStage } from './run_stage.ts';

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
  const classes = data.train.classes.length;
  const common = { stage: 'stage2' as const, config: stage, seed: config.seed + 7, carried: encoderState };
  const withEncoder = async (r: StepRunner): Promise<Map<string, HostTensor>> => new Map([...encoderState, ...(await r.state())]);

  if (stage.augmentation === 'none') {
    process.stderr.write('stage2: computing encoder features of the train and test splits\n');
    const embed = await EvalModel.create(buildEmbed(model), encoderState, ctx.sessions);
    const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);
    const train = await runOverDataset(embed, data.train, all(data.train.length), data.norm);
    const test = await runOverDataset(embed, data.test, all(data.test.length), data.norm);
    const { data: trainFeatures, dim } = train.outputs.embedding!;
    const { summary, runner } = await runStage(ctx, {
      ...common, built: buildStage2Features(model), feeds: ['features', 'labels'],
      stepsPerEpoch: cappedSteps(ctx, Math.floor(data.train.length / stage.batchSize), stage.batchSize),
      batches: featureBatches(trainFeatures, dim, train.labels, stage.batchSize, config.seed + 3),
      evaluate: async (r) => ({ test_accuracy: linearAccuracy(await r.state(), test.outputs.embedding!.data, dim, test.labels, classes) }),
    });
    return { summary, state: await withEncoder(runner) };
  }

  const loader = new DataLoader(data.train, {
    batchSize: stage.batchSize, seed: config.seed + 3, views: [stage.augmentation], mean: data.norm.mean, std: data.norm.std, workers: config.workers,
  });
  try {
    const { summary, runner } = await runStage(ctx, {
      ...common, built: buildStage2(model), feeds: ['images', 'labels'],
      stepsPerEpoch: cappedSteps(ctx, loader.batchesPerEpoch(), stage.batchSize),
      batches: loaderBatches(loader, data.train),
      evaluate: async (r) => ({ test_accuracy: (await testAccuracy(ctx, await withEncoder(r))).accuracy }),
    });
    return { summary, state: await withEncoder(runner) };
  } finally {
    await loader.close();
  }
}
