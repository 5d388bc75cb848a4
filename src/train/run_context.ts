// What every stage of a run shares: config, folder, data, log, sessions, and the checkpoint bookkeeping.

import type { ModelConfig } from '../../graphs/config.ts';
import type { MeanStd, ShareableDataset } from '../data/index.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import { type Checkpoint, type Position, type StageName, type StageSummary, saveCheckpoint } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { NonFiniteLossError } from './loop.ts';
import type { MetricsLog } from './metrics_log.ts';

export interface RunData {
  train: ShareableDataset;
  test: ShareableDataset;
  /** Per-channel normalisation computed on the training split. */
  norm: MeanStd;
}

export interface RunContext {
  config: TrainConfig;
  runDir: string;
  data: RunData;
  log: MetricsLog;
  sessions: SessionFactory;
  finished: Partial<Record<StageName, StageSummary>>;
  /** The checkpoint a resumed run starts from; each stage takes it when its position names that stage. */
  resume: Checkpoint | undefined;
  /** Seconds spent before this process (resumed runs). */
  elapsedBefore: number;
  startedAt: number;
}

/** The model config of one stage: the run's model with the data's shape and the stage's batch size. */
export function stageModel(ctx: RunContext, batchSize: number, views = 1): ModelConfig {
  const { train } = ctx.data;
  return {
    ...ctx.config.model,
    batchSize,
    views,
    numClasses: train.classes.length,
    inputChannels: train.channels,
    inputSize: train.size,
  };
}

/** The checkpoint state to resume `stage` from, if the run stopped inside it. */
export function resumeFor(ctx: RunContext, stage: StageName): Checkpoint | undefined {
  const position = ctx.resume?.manifest.position;
  // A checkpoint written as a stage begins holds no state of it yet: that stage starts fresh.
  return position?.stage === stage && position.step > 0 ? ctx.resume : undefined;
}

export function elapsedSeconds(ctx: RunContext): number {
  return ctx.elapsedBefore + (performance.now() - ctx.startedAt) / 1000;
}

/** Saves a checkpoint, refusing (NonFiniteLossError) to replace the last good one with non-finite state. */
export function checkpointNow(ctx: RunContext, state: ReadonlyMap<string, HostTensor>, position: Position): void {
  for (const [name, t] of state) {
    if (t.data instanceof Float32Array && !t.data.every(Number.isFinite)) {
      throw new NonFiniteLossError(`${position.stage}: ${name} became non-finite by step ${position.step}; the last checkpoint is intact: lower the learning rate and resume`);
    }
  }
  saveCheckpoint(ctx.runDir, state, {
    format: 'supcon-onnx-checkpoint/1',
    config: ctx.config,
    position,
    finished: ctx.finished,
    elapsedSeconds: elapsedSeconds(ctx),
  });
}

/** Steps per epoch of a loader, capped by the config's maxStepsPerEpoch; none at all is an error. */
export function cappedSteps(ctx: RunContext, batches: number, batchSize: number): number {
  if (batches === 0) {
    throw new Error(`batch size ${batchSize} leaves no full batch in the ${ctx.data.train.length} training images: lower --batch-size`);
  }
  const cap = ctx.config.maxStepsPerEpoch;
  return cap > 0 ? Math.min(cap, batches) : batches;
}

/** The entries of `state` named in `names` (model parameters and buffers, without optimizer state). */
export function pickState(state: ReadonlyMap<string, HostTensor>, names: readonly string[]): Map<string, HostTensor> {
  return new Map(names.map((n) => {
    const t = state.get(n);
    if (!t) throw new Error(`state has no tensor ${n}`);
    return [n, t] as const;
  }));
}
