// Stage 1: encoder + projection head trained with the contrastive loss on V augmented views per image.
// Evaluated after each epoch by kNN accuracy of the encoder embeddings (test subset against a train subset).

import { buildEmbed, buildStage1 } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { DataLoader } from '../data/index.ts';
import { initialState } from '../runtime/init.ts';
import type { HostTensor } from '../runtime/session.ts';
import { StepRunner } from '../runtime/step_runner.ts';
import type { StageSummary } from './checkpoint.ts';
import { EvalModel, runOverDataset, sampleIds } from './evaluate.ts';
import { knnAccuracy } from './eval_metrics.ts';
import { loaderBatches } from './feeds.ts';
import { runStageLoop } from './loop.ts';
import { type RunContext, cappedSteps, checkpointNow, pickState, resumeFor, stageModel } from './run_context.ts';

/** Runs stage 1 and returns its summary and final state (encoder + head parameters and buffers). */
export async function trainStage1(ctx: RunContext): Promise<{ summary: StageSummary; state: Map<string, HostTensor> }> {
  const { config, data } = ctx;
  const stage = config.stage1;
  const model = stageModel(ctx, stage.batchSize, stage.views.length);
  const built = buildStage1(model);
  const resume = resumeFor(ctx, 'stage1');
  const state = resume?.state ?? initialState(built.params.list, built.optimizerState, config.seed);
  const runner = await StepRunner.create(serializeStep(built.graph, built), state, { feeds: ['images', 'labels'], session: ctx.sessions });
  const loader = new DataLoader(data.train, {
    batchSize: stage.batchSize, seed: config.seed, views: stage.views, mean: data.norm.mean, std: data.norm.std,
    minPerClass: stage.minPerClass, workers: config.workers,
  });
  const embed = buildEmbed(model);
  const bankIds = sampleIds(data.train.length, config.eval.knnBank, config.seed + 1);
  const queryIds = sampleIds(data.test.length, config.eval.knnQueries, config.seed + 2);

  try {
    const result = await runStageLoop({
      stage: 'stage1',
      runner,
      epochs: stage.epochs,
      stepsPerEpoch: cappedSteps(ctx, loader.batchesPerEpoch(), stage.batchSize),
      batches: loaderBatches(loader, data.train),
      baseLr: stage.lr,
      schedule: stage.schedule,
      start: resume?.manifest.position ?? { stage: 'stage1', epoch: 0, batch: 0, step: 0 },
      log: ctx.log,
      checkpointEvery: config.checkpointEvery,
      checkpoint: async (position) => checkpointNow(ctx, await runner.state(), position),
      evaluate: async () => {
        const evalModel = await EvalModel.create(embed, await runner.state(), ctx.sessions);
        const bank = await runOverDataset(evalModel, data.train, bankIds, data.norm);
        const queries = await runOverDataset(evalModel, data.test, queryIds, data.norm);
        const { data: bankVectors, dim } = bank.outputs.embedding!;
        const knn = knnAccuracy(bankVectors, bank.labels, queries.outputs.embedding!.data, queries.labels, dim, data.train.classes.length, { k: config.eval.knnK });
        return { knn_accuracy: knn };
      },
    });
    const summary: StageSummary = {
      stage: 'stage1', epochs: stage.epochs, steps: result.steps, finalLoss: result.finalLoss, seconds: result.seconds,
      imagesPerSecond: result.imagesPerSecond, metrics: { ...result.lastEval, step_images_per_s: result.stepImagesPerSecond },
    };
    return { summary, state: pickState(await runner.state(), built.params.list.map((p) => p.name)) };
  } finally {
    await loader.close();
  }
}
