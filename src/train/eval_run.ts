// `eval`: a finished run's final weights on its dataset's test split (or another dataset with the same
// classes): test accuracy, per-class accuracy, confusion matrix, and kNN accuracy of the encoder.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildEmbed } from '../../graphs/stages.ts';
import { type MeanStd, openDataset } from '../data/index.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import { loadWeights } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { EvalModel, runOverDataset, sampleIds } from './evaluate.ts';
import { confusionMatrix, knnAccuracy } from './eval_metrics.ts';
import { MetricsLog } from './metrics_log.ts';
import { type RunContext, stageModel } from './run_context.ts';
import { testAccuracy } from './stage2.ts';

export interface EvalResult {
  dataset: string;
  testAccuracy: number;
  knnAccuracy: number;
  perClass: Array<{ name: string; accuracy: number; count: number }>;
  confusion: number[][];
}

export async function evaluateRun(runDir: string, sessions: SessionFactory, dataset?: string): Promise<EvalResult> {
  const results = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as { config: TrainConfig; normalization: MeanStd; classes: string[] };
  const config = results.config;
  const spec = dataset ?? config.dataset;
  const opened = await openDataset(spec, { ...(config.imageSize > 0 ? { size: config.imageSize } : {}), seed: config.seed });
  if (opened.test.classes.join('\n') !== results.classes.join('\n')) {
    throw new Error(`${spec} has classes [${opened.test.classes.join(', ')}], the model was trained on [${results.classes.join(', ')}]`);
  }
  const ctx: RunContext = {
    config, runDir, sessions,
    log: new MetricsLog(join(runDir, 'eval.jsonl')),
    data: { train: opened.train, test: opened.test, norm: results.normalization },
    finished: {}, resume: undefined, elapsedBefore: 0, startedAt: performance.now(),
  };
  const state = loadWeights(join(runDir, 'final.safetensors'));
  const test = await testAccuracy(ctx, state);
  const classes = results.classes;
  const confusion = confusionMatrix(test.predicted, test.labels, classes.length);

  const embed = await EvalModel.create(buildEmbed({ ...stageModel(ctx, 1), head: 'none' }), state, sessions);
  const bank = await runOverDataset(embed, opened.train, sampleIds(opened.train.length, config.eval.knnBank, config.seed + 1), ctx.data.norm);
  const queries = await runOverDataset(embed, opened.test, sampleIds(opened.test.length, config.eval.knnQueries, config.seed + 2), ctx.data.norm);
  const { data: bankVectors, dim } = bank.outputs.embedding!;
  const knn = knnAccuracy(bankVectors, bank.labels, queries.outputs.embedding!.data, queries.labels, dim, classes.length, { k: config.eval.knnK });
  const perClass = classes.map((name, c) => {
    const count = confusion[c]!.reduce((a, b) => a + b, 0);
    return { name, count, accuracy: count ? confusion[c]![c]! / count : 0 };
  });
  ctx.log.write({ kind: 'eval', dataset: spec, test_accuracy: test.accuracy, knn_accuracy: knn });
  return { dataset: spec, testAccuracy: test.accuracy, knnAccuracy: knn, perClass, confusion };
}
