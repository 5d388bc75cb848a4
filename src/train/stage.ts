// A stage as data: its graph builder, model config, feed source and evaluator. `runStage` does what
// every stage does around its loop, once: open the feeds (and always close them), build the step
// runner from fresh or resumed state, run the loop with checkpoints, summarise, and store the summary
// with the stage's last checkpoint. A resumed run whose checkpoint is that last one skips straight to
// its stored result.

import type { ModelConfig } from '../../graphs/config.ts';
import { type SplitStep, splitModels } from '../../graphs/split_step.ts';
import type { BuiltGraph } from '../../graphs/stages.ts';
import { stepModel } from '../../graphs/step.ts';
import type { StageConfig, StageName } from '../config/train_config.ts';
import { type AugmentationName, DataLoader, type Dataset } from '../data/index.ts';
import type { ScheduleConfig } from '../optim/index.ts';
import { initialState } from '../runtime/init.ts';
import type { HostTensor } from '../runtime/session.ts';
import { SplitStepRunner } from '../runtime/split_runner.ts';
import { type SessionFactory, type Stepper, StepRunner } from '../runtime/step_runner.ts';
import { type StepBatch, runStageLoop } from './loop.ts';
import { type RunContext, checkpointNow, pickState, resumeFor } from './run_context.ts';
import type { StageSummary } from './run_results.ts';
import { streamSeed } from './streams.ts';

/** The batches of a stage, opened when it runs. */
export interface FeedSource {
  /** Batches of an epoch from a given batch index on (resume mid-epoch). */
  batches(epoch: number, startBatch: number): AsyncIterable<StepBatch>;
  close(): Promise<void>;
}

/** A stage's step: one fused graph, or a split step (chunked for large batches). */
export type StageGraphs = BuiltGraph | SplitStep;

export interface StageSpec {
  stage: StageName;
  build: (model: ModelConfig) => StageGraphs;
  model: ModelConfig;
  /** Graph inputs fed per step. */
  feeds: readonly string[];
  open: () => Promise<FeedSource>;
  /** Tensors that replace freshly initialised ones and join the result (stage 2: the frozen encoder). */
  carried?: ReadonlyMap<string, HostTensor>;
  /** End-of-epoch evaluation of the model state (parameters and buffers, carried ones included). */
  evaluate: (state: ReadonlyMap<string, HostTensor>) => Promise<Record<string, number>>;
}

export interface StageResult {
  summary: StageSummary;
  /** Parameters and buffers of the model after the stage (carried tensors included, optimizer state not). */
  state: Map<string, HostTensor>;
}

export async function runStage(ctx: RunContext, spec: StageSpec): Promise<StageResult> {
  const { stage } = spec;
  const config = ctx.config[stage];
  const stepsPerEpoch = ctx.plan[stage];
  if (stepsPerEpoch === undefined) throw new Error(`${stage} is not planned in this run`);
  const built = spec.build(spec.model);
  const modelState = (state: ReadonlyMap<string, HostTensor>): Map<string, HostTensor> =>
    new Map([...(spec.carried ?? []), ...pickState(state, built.params.list.map((p) => p.name))]);

  const resume = resumeFor(ctx, stage);
  const stored = ctx.finished[stage];
  if (resume && stored && resume.manifest.position.epoch >= config.epochs) return { summary: stored, state: modelState(resume.state) };

  const state = resume?.state ?? freshState(spec, built, streamSeed(ctx.config.seed, `${stage}.init`));
  return withStage(spec, built, state, ctx.sessions, async (runner, source) => {
    const result = await runStageLoop({
      stage,
      runner,
      epochs: config.epochs,
      stepsPerEpoch,
      batches: (epoch, start) => source.batches(epoch, start),
      baseLr: config.lr,
      schedule: stageSchedule(config, stepsPerEpoch),
      start: resume?.manifest.position ?? { stage, epoch: 0, batch: 0, step: 0 },
      log: ctx.log,
      checkpointEvery: ctx.config.checkpointEvery,
      checkpoint: async (position) => checkpointNow(ctx, await runner.state(), position),
      evaluate: async () => spec.evaluate(modelState(await runner.state())),
      evalEvery: ctx.config.eval.every,
    });
    const summary: StageSummary = {
      stage, epochs: config.epochs, steps: result.steps, finalLoss: result.finalLoss, seconds: result.seconds,
      imagesPerSecond: result.imagesPerSecond, metrics: { ...result.lastEval, step_images_per_s: result.stepImagesPerSecond },
    };
    ctx.finished[stage] = summary;
    const final = await runner.state();
    checkpointNow(ctx, final, { stage, epoch: config.epochs, batch: 0, step: result.steps });
    return { summary, state: modelState(final) };
  });
}

/** Freshly initialised parameters, optimizer and other state of the stage's graphs, carried tensors in place. */
export function freshState(spec: StageSpec, built: StageGraphs, seed: number): Map<string, HostTensor> {
  const state = initialState(built.params.list, [...built.optimizerState, ...built.extraState], seed);
  for (const name of state.keys()) {
    const t = spec.carried?.get(name);
    if (t) state.set(name, t);
  }
  return state;
}

/** Runs `use` with the stage's feeds open and a step runner on `state`; both are closed afterwards, whatever happens. */
export async function withStage<T>(spec: StageSpec, built: StageGraphs, state: ReadonlyMap<string, HostTensor>, sessions: SessionFactory, use: (runner: Stepper, source: FeedSource) => Promise<T>): Promise<T> {
  const source = await spec.open();
  let runner: Stepper | undefined;
  try {
    const options = { feeds: spec.feeds, session: sessions };
    runner = 'gradient' in built ? await SplitStepRunner.create(splitModels(built), state, options) : await StepRunner.create(stepModel(built.graph, built), state, options);
    return await use(runner, source);
  } finally {
    await source.close();
    await runner?.release();
  }
}

/** The stage's learning-rate schedule in steps: its warm-up epochs become steps of this data set. */
export function stageSchedule(config: StageConfig, stepsPerEpoch: number): ScheduleConfig {
  return { ...config.schedule, warmup: { steps: Math.round(config.warmupEpochs * stepsPerEpoch) } };
}

export interface LoaderFeedOptions {
  batchSize: number;
  views: readonly AugmentationName[];
  /** Images per class in every batch (SupCon); absent: a plain shuffle that reads no labels. */
  minPerClass?: number;
}

/** Augmented image batches of the training split from worker threads: `images` [V * N, C, S, S], `labels` [N]. */
export function loaderFeeds(ctx: Pick<RunContext, 'config' | 'data'>, stage: StageName, options: LoaderFeedOptions): FeedSource {
  const { shape, train } = ctx.data;
  const loader = new DataLoader(train, {
    batchSize: options.batchSize, seed: streamSeed(ctx.config.seed, `${stage}.data`), views: options.views,
    mean: shape.normalization.mean, std: shape.normalization.std, size: shape.size, workers: ctx.config.workers,
    ...(options.minPerClass === undefined ? {} : { minPerClass: options.minPerClass }),
  });
  return { batches: (epoch, start) => loaderBatches(loader, train, epoch, start), close: () => loader.close() };
}

/** Views stacked view-major, the layout the SupCon graph expects (V = 1 for stage 2 and the baseline). */
async function* loaderBatches(loader: DataLoader, dataset: Dataset, epoch: number, startBatch: number): AsyncIterable<StepBatch> {
  for await (const batch of loader.epoch(epoch, { startBatch })) {
    const n = batch.labels.length;
    const views = batch.views.length;
    let images = batch.views[0]!;
    if (views > 1) {
      images = new Float32Array(images.length * views);
      batch.views.forEach((v, i) => images.set(v, i * v.length));
    }
    yield {
      feeds: {
        images: { dtype: 'float32', dims: [views * n, dataset.channels, loader.size, loader.size], data: images },
        labels: { dtype: 'int64', dims: [n], data: batch.labels },
      },
      images: n,
    };
  }
}
