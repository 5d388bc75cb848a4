// What every stage of a run shares: config, folder, data, log, sessions, the step plan, and the
// checkpoint bookkeeping.

import type { ShareableDataset } from '../data/index.ts';
import { epochOrder } from '../data/index.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import { CHECKPOINT_FORMAT, type Checkpoint, type Position } from './checkpoint.ts';
import type { EvalInputs } from './evaluate.ts';
import { NonFiniteLossError } from './loop.ts';
import type { MetricsLog } from './metrics_log.ts';
import type { RunFolder } from './run_folder.ts';
import type { DataShape, StageSummary } from './run_results.ts';

export interface RunData {
  train: ShareableDataset;
  test: ShareableDataset;
  /** Input side, channels, classes and normalisation (computed on the training split). */
  shape: DataShape;
}

export interface RunContext {
  config: TrainConfig;
  folder: RunFolder;
  data: RunData;
  /** How images become model inputs in evaluation passes. */
  inputs: EvalInputs;
  log: MetricsLog;
  sessions: SessionFactory;
  /** Steps per epoch of each stage the run trains. */
  plan: Partial<Record<StageName, number>>;
  finished: Partial<Record<StageName, StageSummary>>;
  /** The checkpoint a resumed run starts from; each stage takes it when its position names that stage. */
  resume: Checkpoint | undefined;
  /** Seconds spent before this process (resumed runs). */
  elapsedBefore: number;
  startedAt: number;
}

/** Stages a run of `config` trains, in order. */
export function stagesOf(config: TrainConfig): StageName[] {
  if (config.method === 'ce') return ['baseline'];
  if (config.method === 'supcon+ce') return ['stage1'];
  return config.stages === 'both' ? ['stage1', 'stage2'] : [config.stages];
}

/**
 * Steps per epoch of every stage of the run (full batches, as the sampler cuts them, capped by
 * maxStepsPerEpoch), checked before anything is written: a batch larger than the data set is an error,
 * one for every stage it concerns (so that lowering --batch-size does not meet --linear-batch-size next).
 */
export function planSteps(config: TrainConfig, train: ShareableDataset): Partial<Record<StageName, number>> {
  const labels = Int32Array.from({ length: train.length }, (_, i) => train.label(i));
  const plan: Partial<Record<StageName, number>> = {};
  const problems: string[] = [];
  for (const stage of stagesOf(config)) {
    const { batchSize } = config[stage];
    const minPerClass = stage === 'stage1' ? sampledPerClass(config) : undefined;
    const batches = epochOrder(train.length, labels, { seed: 0, epoch: 0, batchSize, dropLast: true, ...(minPerClass === undefined ? {} : { minPerClass }) }).length;
    if (batches === 0) {
      const flag = stage === 'stage2' ? '--linear-batch-size' : '--batch-size';
      const perClass = minPerClass ? ` (${minPerClass} per class and batch)` : '';
      problems.push(`${stage}: batch size ${batchSize}${perClass} leaves no full batch in the ${train.length} training images: lower ${flag}`);
    }
    plan[stage] = config.maxStepsPerEpoch > 0 ? Math.min(config.maxStepsPerEpoch, batches) : batches;
  }
  if (problems.length > 0) throw new Error(problems.join('; '));
  return plan;
}

/** Images per class the stage-1 sampler guarantees in a batch; SimCLR reads no labels, so none. */
export function sampledPerClass(config: TrainConfig): number | undefined {
  return config.model.loss === 'simclr' ? undefined : config.stage1.minPerClass;
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
  ctx.folder.saveCheckpoint(state, {
    format: CHECKPOINT_FORMAT,
    config: ctx.config,
    position,
    finished: ctx.finished,
    elapsedSeconds: elapsedSeconds(ctx),
  });
}

/** The entries of `state` named in `names` (model parameters and buffers, without optimizer state). */
export function pickState(state: ReadonlyMap<string, HostTensor>, names: readonly string[]): Map<string, HostTensor> {
  return new Map(names.map((n) => {
    const t = state.get(n);
    if (!t) throw new Error(`state has no tensor ${n}`);
    return [n, t] as const;
  }));
}
