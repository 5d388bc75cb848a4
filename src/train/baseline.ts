// The cross-entropy baseline: encoder + linear classifier trained end to end on the same data,
// augmentation and budget as SupCon, evaluated by test accuracy after every epoch.

import { buildBaseline } from '../../graphs/stages.ts';
import { DataLoader } from '../data/index.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { StageSummary } from './checkpoint.ts';
import { loaderBatches } from './feeds.ts';
import { type RunContext, cappedSteps, pickState, stageModel } from './run_context.ts';
import { runStage } from './run_stage.ts';
import { testAccuracy } from './stage2.ts';

export async function trainBaseline(ctx: RunContext): Promise<{ summary: StageSummary; state: Map<string, HostTensor> }> {
  const { config, data } = ctx;
  const stage = config.baseline;
  const built = buildBaseline(stageModel(ctx, stage.batchSize));
  const loader = new DataLoader(data.train, {
    batchSize: stage.batchSize, seed: config.seed, views: [stage.augmentation], mean: data.norm.mean, std: data.norm.std, workers: config.workers,
  });
  const names = built.params.list.map((p) => p.name);
  try {
    const { summary, runner } = await runStage(ctx, {
      stage: 'baseline', built, feeds: ['images', 'labels'], config: stage, seed: config.seed,
      stepsPerEpoch: cappedSteps(ctx, loader.batchesPerEpoch(), stage.batchSize),
      batches: loaderBatches(loader, data.train),
      evaluate: async (r) => ({ test_accuracy: (await testAccuracy(ctx, pickState(await r.state(), names))).accuracy }),
    });
    return { summary, state: pickState(await runner.state(), names) };
  } finally {
    await loader.close();
  }
}
