// The three stages as descriptors (stage.ts runs them):
//   stage1    encoder + head, contrastive loss on V views (in chunks and with a queue if configured); kNN
//             accuracy of the encoder after each epoch. The supcon+ce method's only stage: encoder, head
//             and classifier on cross-entropy + w x SupCon; test accuracy after each epoch
//   stage2    linear classifier on the frozen encoder (on precomputed features when unaugmented), or the
//             whole network fine-tuned with cross-entropy from stage 1's weights; test accuracy
//   baseline  encoder + classifier end to end with cross-entropy; test accuracy after each epoch

import { isChunked } from '../../graphs/config.ts';
import type { ModelConfig } from '../../graphs/config.ts';
import { buildBaselineSplit, buildHybridSplit, buildStage1Split } from '../../graphs/split_step.ts';
import { buildBaseline, buildHybrid, buildLogits, buildStage1, buildStage2, buildStage2Features } from '../../graphs/stages.ts';
import type { TrainConfig } from '../config/train_config.ts';
import { type Dataset, Rng } from '../data/index.ts';
import type { HostTensor } from '../runtime/session.ts';
import { type KnnSample, type TestResult, classify, embed, knnEval, sampleIds } from './evaluate.ts';
import { linearAccuracy } from './eval_metrics.ts';
import type { StepBatch } from './loop.ts';
import { type RunContext, sampledPerClass, stagesOf } from './run_context.ts';
import { type FeedSource, type StageGraphs, type StageSpec, loaderFeeds } from './stage.ts';
import { stageModel } from './stage_model.ts';
import { streamSeed } from './streams.ts';

/**
 * Builds each graph of the run's trained stages once, so that what only a build finds (an imported
 * model that does not fit the data, a --freeze that matches nothing) is found before anything is written.
 */
export function checkStageGraphs(config: TrainConfig, shape: StageEnv['data']['shape']): void {
  for (const stage of stagesOf(config)) {
    if (stage === 'stage1') stage1Graphs(config)(stageModel(config, shape, stage));
    if (stage === 'baseline') buildBaseline(stageModel(config, shape, stage));
    if (stage === 'stage2') buildLogits(stageModel(config, shape, 'eval'));
  }
}

/** Stage 1's step: the contrastive tower, or the supcon+ce hybrid with its classifier; in chunks when configured. */
function stage1Graphs(config: TrainConfig): (m: ModelConfig) => StageGraphs {
  if (config.method === 'supcon+ce') return (m) => (isChunked(m) ? buildHybridSplit(m) : buildHybrid(m));
  return (m) => (isChunked(m) ? buildStage1Split(m) : buildStage1(m));
}

/** Test accuracy of the logits graph with `state` over the whole test split. */
export function testAccuracy(ctx: StageEnv, state: ReadonlyMap<string, HostTensor>): Promise<TestResult> {
  return classify(stageModel(ctx.config, ctx.data.shape, 'eval'), state, ctx.data.test, ctx.inputs);
}

/** What a stage descriptor needs of its run: config, data and how images become inputs. */
export type StageEnv = Pick<RunContext, 'config' | 'data' | 'inputs'>;

/** The kNN evaluation sample of a run: test queries against a train bank, from their own streams. */
export function knnSample(config: TrainConfig, train: Dataset, test: Dataset): KnnSample {
  return {
    train, test, k: config.eval.knnK,
    bankIds: sampleIds(train.length, config.eval.knnBank, streamSeed(config.seed, 'knn.bank')),
    queryIds: sampleIds(test.length, config.eval.knnQueries, streamSeed(config.seed, 'knn.queries')),
  };
}

export function stage1Spec(ctx: StageEnv): StageSpec {
  const { config, data } = ctx;
  const sample = knnSample(config, data.train, data.test);
  const minPerClass = sampledPerClass(config);
  return {
    stage: 'stage1', build: stage1Graphs(config), model: stageModel(config, data.shape, 'stage1'), feeds: ['images', 'labels'],
    open: async () => loaderFeeds(ctx, 'stage1', { batchSize: config.stage1.batchSize, views: config.stage1.views, ...(minPerClass === undefined ? {} : { minPerClass }) }),
    evaluate: config.method === 'supcon+ce'
      ? async (state) => ({ test_accuracy: (await testAccuracy(ctx, state)).accuracy })
      : async (state) => ({ knn_accuracy: await knnEval(stageModel(config, data.shape, 'eval'), state, sample, ctx.inputs) }),
  };
}

export function baselineSpec(ctx: StageEnv): StageSpec {
  const { config } = ctx;
  return {
    stage: 'baseline', build: (m) => (isChunked(m) ? buildBaselineSplit(m) : buildBaseline(m)), model: stageModel(config, ctx.data.shape, 'baseline'), feeds: ['images', 'labels'],
    open: async () => loaderFeeds(ctx, 'baseline', { batchSize: config.baseline.batchSize, views: [config.baseline.augmentation] }),
    evaluate: async (state) => ({ test_accuracy: (await testAccuracy(ctx, state)).accuracy }),
  };
}

/** Stage 2 on `encoder` (stage-1 parameters and buffers). */
export function stage2Spec(ctx: StageEnv, encoder: ReadonlyMap<string, HostTensor>): StageSpec {
  const { config, data } = ctx;
  const model = stageModel(config, data.shape, 'stage2');
  const common = { stage: 'stage2' as const, model, carried: encoder, feeds: ['images', 'labels'] };
  if (config.stage2.mode === 'finetune') {
    // The baseline's graph (encoder + classifier, cross-entropy, stage 1's optimizer) started from stage
    // 1's encoder: the carried tensors replace the fresh ones and are trained from there.
    return {
      ...common, build: buildBaseline,
      open: async () => loaderFeeds(ctx, 'stage2', { batchSize: config.stage2.batchSize, views: [config.stage2.augmentation] }),
      evaluate: async (state) => ({ test_accuracy: (await testAccuracy(ctx, state)).accuracy }),
    };
  }
  if (config.stage2.augmentation !== 'none') {
    return {
      ...common, build: buildStage2,
      open: async () => loaderFeeds(ctx, 'stage2', { batchSize: config.stage2.batchSize, views: [config.stage2.augmentation] }),
      evaluate: async (state) => ({ test_accuracy: (await testAccuracy(ctx, state)).accuracy }),
    };
  }
  // Unaugmented: the encoder runs once over both splits, and every epoch is a few small matrix products.
  const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);
  let test: { features: Float32Array; labels: Int32Array } | undefined;
  return {
    ...common, build: buildStage2Features, feeds: ['features', 'labels'],
    open: async () => {
      process.stderr.write('stage2: computing encoder features of the train and test splits\n');
      const evalModel = { ...stageModel(config, data.shape, 'eval'), head: 'none' as const };
      const train = await embed(evalModel, encoder, data.train, all(data.train.length), ctx.inputs);
      const held = await embed(evalModel, encoder, data.test, all(data.test.length), ctx.inputs);
      const { data: features, dim } = train.outputs.embedding!;
      test = { features: held.outputs.embedding!.data, labels: held.labels };
      return featureFeeds(features, dim, train.labels, config.stage2.batchSize, streamSeed(config.seed, 'stage2.data'));
    },
    evaluate: async (state) => {
      if (!test) throw new Error('stage2: features were not computed');
      const weight = (name: string): Float32Array => state.get(name)!.data as Float32Array;
      return { test_accuracy: linearAccuracy(weight('classifier.weight'), weight('classifier.bias'), test.features, test.labels) };
    },
  };
}

/** Shuffled batches of precomputed feature rows `features` [n, dim], the order a function of (seed, epoch) only. */
function featureFeeds(features: Float32Array, dim: number, labels: Int32Array, batchSize: number, seed: number): FeedSource {
  async function* batches(epoch: number, startBatch: number): AsyncIterable<StepBatch> {
    const order = sampleIds(labels.length, labels.length, new Rng(seed).fork(epoch).int(2 ** 31));
    for (let start = startBatch * batchSize; start + batchSize <= order.length; start += batchSize) {
      const rows = new Float32Array(batchSize * dim);
      const y = new BigInt64Array(batchSize);
      for (let i = 0; i < batchSize; i++) {
        const id = order[start + i]!;
        rows.set(features.subarray(id * dim, (id + 1) * dim), i * dim);
        y[i] = BigInt(labels[id]!);
      }
      yield {
        feeds: { features: { dtype: 'float32', dims: [batchSize, dim], data: rows }, labels: { dtype: 'int64', dims: [batchSize], data: y } },
        images: batchSize,
      };
    }
  }
  return { batches, close: async () => {} };
}
