// Stage 1: encoder + projection head trained with the contrastive loss on V augmented views per image.
// Evaluated after each epoch by kNN accuracy of the encoder embeddings (test subset against a train subset).

import { buildEmbed, buildStage1 } from '../../graphs/stages.ts';
import { DataLoader } from '../data/index.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { StageSummary } from './checkpoint.ts';
import { knnAccuracy } from './eval_metrics.ts';
import { EvalModel, runOverDataset, sampleIds } from './evaluate.ts';
import { loaderBatches } from './feeds.ts';
import { type RunContext, cappedSteps, pickState, stageModel } from './run_context.ts';
import { runStage } from './run_stage.ts';

/** Runs stage 1 and returns its summary and final state (encoder + head parameters and buffers). */
export async function trainStage1(ctx: RunContext): Promise<{ summary: StageSummary; state: Map<string, HostTensor> }> {
  const { config, data } = ctx;
  const stage = config.stage1;
  const model = stageModel(ctx, stage.batchSize, stage.views.length);
  const built = buildStage1(model);
  const loader = new DataLoader(data.train, {
    batchSize: stage.batchSize, seed: config.seed, views: stage.views, mean: data.norm.mean, std: data.norm.std,
    minPerClass: stage.minPerClass, workers: config.workers,
  });
  const embed = buildEmbed(model);
  const bankIds = sampleIds(data.train.length, config.eval.knnBank, config.seed + 1);
  const queryIds = sampleIds(data.test.length, config.eval.knnQueries, config.seed + 2);
  try {
    const { summary, runner } = await runStage(ctx, {
      stage: 'stage1', built, feeds: ['images', 'labels'], config: stage, seed: config.seed,
      stepsPerEpoch: cappedSteps(ctx, loader.batchesPerEpoch(), stage.batchSize),
      batches: loaderBatches(loader, data.train),
      evaluate: async (r) => {
        const evalModel = await EvalModel.create(embed, await r.state(), ctx.sessions);
        const bank = await runOverDataset(evalModel, data.train, bankIds, data.norm);
        const queries = await runOverDataset(evalModel, data.test, queryIds, data.norm);
        const { data: bankVectors, dim } = bank.outputs.embedding!;
        const knn = knnAccuracy(bankVectors, bank.labels, queries.outputs.embedding!.data, queries.labels, dim, data.train.classes.length, { k: config.eval.knnK });
        return { knn_accuracy: knn };
      },
    });
    return { summary, state: pickState(await runner.state(), built.params.list.map((p) => p.name)) };
  } finally {
    await loader.close();
  }
}
