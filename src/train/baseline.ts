// The cross-entropy baseline: encoder + linear classifier trained end to end on the same data,
// augmentation and budget as SupCon, evaluated by test accuracy after every epoch.

import { buildBaseline } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { DataLoader } from '../data/index.ts';
import { initialState } from '../runtime/init.ts';
import type { HostTensor } from '../runtime/session.ts';
import { StepRunner } from '../runtime/step_runner.ts';
import type { StageSummary } from './checkpoint.ts';
import { loaderBatches } from './feeds.ts';
import { runStageLoop } from './loop.ts';
import { type RunContext, cappedSteps, checkpointNow, pickState, resumeFor, stageModel } from './run_context.ts';
import { testAccuracy } from './stage2.ts';

export async function trainBaseline(ctx: RunContext): Promise<{ summary: StageSummary; state: Map<string, HostTensor> }> {
  const { config, data } = ctx;
  const stage = config.baseline;
  const built = buildBaseline(stageModel(ctx, stage.batchSize));
  const resume = resumeFor(ctx, 'baseline');
  const state = resume?.state ?? initialState(built.params.list, built.optimizerState, config.seed);
  const runner = await StepRunner.create(serializeStep(built.graph, built), state, { feeds: ['images', 'labels'], session: ctx.sessions });
  const loader = new DataLoader(data.train, {
    batchSize: stage.batchSize, seed: config.seed, views: [stage.augmentation], mean: data.norm.mean, std: data.norm.std, workers: config.workers,
  });
  const names = built.params.list.map((p) => p.name);
  try {
    const result = await runStageLoop({
      stage: 'baseline',
      runner,
      epochs: stage.epochs,
      stepsPerEpoch: cappedSteps(ctx, loader.batchesPerEpoch(), stage.batchSize),
      batches: loaderBatches(loader, data.train),
      baseLr: stage.lr,
      schedule: stage.schedule,
      start: resume?.manifest.position ?? { stage: 'baseline', epoch: 0, batch: 0, step: 0 },
      log: ctx.log,
      checkpointEvery: config.checkpointEvery,
      checkpoint: async (position) => checkpointNow(ctx, await runner.state(), position),
      evaluate: async () => ({ test_accuracy: (await testAccuracy(ctx, pickState(await runner.state(), names))).accuracy }),
    });
    const summary: StageSummary = {
      stage: 'baseline', epochs: stage.epochs, steps: result.steps, finalLoss: result.finalLoss, seconds: result.seconds,
      imagesPerSecond: result.imagesPerSecond, metrics: { ...result.lastEval, step_images_per_s: result.stepImagesPerSecond },
    };
    return { summary, state: pickState(await runner.state(), names) };
  } finally {
    await loader.close();
  }
}
