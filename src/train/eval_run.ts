// `eval`: a finished run's final weights on its dataset's test split (or another dataset with the same
// classes): test accuracy, per-class accuracy, confusion matrix, and kNN accuracy of the encoder. The
// data shape (input side, channels, classes, normalisation) is the one results.json records.

import type { SessionFactory } from '../runtime/step_runner.ts';
import { type EvalInputs, classify, knnEval } from './evaluate.ts';
import { confusionMatrix } from './eval_metrics.ts';
import { MetricsLog } from './metrics_log.ts';
import { openSplits } from './run_data.ts';
import { RunFolder } from './run_folder.ts';
import { stageModel } from './stage_model.ts';
import { knnSample } from './stages.ts';

export interface EvalResult {
  dataset: string;
  testAccuracy: number;
  knnAccuracy: number;
  perClass: Array<{ name: string; accuracy: number; count: number }>;
  confusion: number[][];
}

export async function evaluateRun(runDir: string, sessions: SessionFactory, dataset?: string): Promise<EvalResult> {
  const folder = new RunFolder(runDir);
  const { config, data } = folder.readResults();
  const spec = dataset ?? config.dataset;
  const opened = await openSplits(spec, config, { size: data.size, channels: data.channels });
  if (opened.test.classes.join('\n') !== data.classes.join('\n')) {
    throw new Error(`${spec} has classes [${opened.test.classes.join(', ')}], the model was trained on [${data.classes.join(', ')}]`);
  }
  if (opened.test.channels !== data.channels) throw new Error(`${spec} has ${opened.test.channels} channel(s), the model was trained on ${data.channels}`);
  const inputs: EvalInputs = { sessions, norm: data.normalization, size: data.size };
  const model = stageModel(config, data, 'eval');
  const state = folder.weights('final');
  const test = await classify(model, state, opened.test, inputs);
  const confusion = confusionMatrix(test.predicted, test.labels, data.classes.length);
  const knn = await knnEval(model, state, knnSample(config, opened.train, opened.test), inputs);
  const perClass = data.classes.map((name, c) => {
    const count = confusion[c]!.reduce((a, b) => a + b, 0);
    return { name, count, accuracy: count ? confusion[c]![c]! / count : 0 };
  });
  new MetricsLog(folder.path('evalLog')).write({ kind: 'eval', dataset: spec, test_accuracy: test.accuracy, knn_accuracy: knn });
  return { dataset: spec, testAccuracy: test.accuracy, knnAccuracy: knn, perClass, confusion };
}
