// What every stage does around its loop: build the step runner from fresh or resumed state, run the loop
// with checkpoints, and summarise. Stages differ only in graph, feeds, batches and evaluation.

import type { BuiltGraph } from '../../graphs/stages.ts';
import { stepModel } from '../../graphs/step.ts';
import { initialState } from '../runtime/init.ts';
import type { HostTensor } from '../runtime/session.ts';
import { StepRunner } from '../runtime/step_runner.ts';
import type { StageName, StageSummary } from './checkpoint.ts';
import type { StageConfig } from './config.ts';
import { type StageLoopSpec, runStageLoop } from './loop.ts';
import { type RunContext, checkpointNow, resumeFor } from './run_context.ts';

export interface StageRun {
  stage: StageName;
  built: BuiltGraph;
  /** Graph inputs fed per step. */
  feeds: readonly string[];
  config: StageConfig;
  /** Seed of the initial parameters. */
  seed: number;
  /** Tensors that replace freshly initialised ones (stage 2 on images: the frozen stage-1 encoder). */
  carried?: ReadonlyMap<string, HostTensor>;
  stepsPerEpoch: number;
  batches: StageLoopSpec['batches'];
  evaluate: (runner: StepRunner) => Promise<Record<string, number>>;
}

export async function runStage(ctx: RunContext, run: StageRun): Promise<{ summary: StageSummary; runner: StepRunner }> {
  const { built, stage } = run;
  const resume = resumeFor(ctx, stage);
  let state = resume?.state;
  if (!state) {
    state = initialState(built.params.list, built.optimizerState, run.seed);
    for (const name of state.keys()) {
      const t = run.carried?.get(name);
      if (t) state.set(name, t);
    }
  }
  const runner = await StepRunner.create(stepModel(built.graph, built), state, { feeds: run.feeds, session: ctx.sessions });
  const result = await runStageLoop({
    stage,
    runner,
    epochs: run.config.epochs,
    stepsPerEpoch: run.stepsPerEpoch,
    batches: run.batches,
    baseLr: run.config.lr,
    schedule: run.config.schedule,
    start: resume?.manifest.position ?? { stage, epoch: 0, batch: 0, step: 0 },
    log: ctx.log,
    checkpointEvery: ctx.config.checkpointEvery,
    checkpoint: async (position) => checkpointNow(ctx, await runner.state(), position),
    evaluate: () => run.evaluate(runner),
  });
  const summary: StageSummary = {
    stage, epochs: run.config.epochs, steps: result.steps, finalLoss: result.finalLoss, seconds: result.seconds,
    imagesPerSecond: result.imagesPerSecond, metrics: { ...result.lastEval, step_images_per_s: result.stepImagesPerSecond },
  };
  return { summary, runner };
}
