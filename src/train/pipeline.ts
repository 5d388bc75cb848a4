// The whole job of `train` and `npm start`: train, export the inference model, write the report.
// Export and report read only what the run left in its folder, so `export <run>` and `report <run>`
// can redo them later.

import { readFileSync } from 'node:fs';
import type { TrainConfig } from '../config/train_config.ts';
import { type ExportResult, exportModel, specFromModelConfig } from '../export/export_model.ts';
import type { Json } from '../export/metadata.ts';
import { type ReportFiles, type ResultRow, writeReport } from '../report/index.ts';
import { readMetrics } from './metrics_log.ts';
import { RunFolder } from './run_folder.ts';
import { stageModel } from './stage_model.ts';
import { type TrainOptions, type TrainResult, train } from './train.ts';

export interface PipelineResult {
  train: TrainResult;
  exported: ExportResult | undefined;
  report: ReportFiles;
}

export async function runTraining(config: TrainConfig, options: TrainOptions = {}): Promise<PipelineResult> {
  const result = await train(config, options);
  const exported = result.results.config.export && result.results.testAccuracy !== null ? await exportRun(result.runDir) : undefined;
  const report = await writeRunReport(result.runDir);
  return { train: result, exported, report };
}

/** Exports encoder + classifier of a finished run as model.onnx (+ embedding model, model.json) in its folder. */
export async function exportRun(runDir: string): Promise<ExportResult> {
  const folder = new RunFolder(runDir);
  const { config, data } = folder.readResults();
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of folder.weights('final')) if (t.data instanceof Float32Array) weights.set(name, t.data);
  return exportModel({
    ...specFromModelConfig(stageModel(config, data, 'eval')),
    weights,
    classes: data.classes,
    mean: data.normalization.mean,
    std: data.normalization.std,
    modelName: config.name,
    config: JSON.parse(JSON.stringify(config)) as Json,
    outDir: folder.dir,
  });
}

/** One results-table row of a finished run (also used by compare and experiment). */
export function resultRow(runDir: string): ResultRow {
  const r = new RunFolder(runDir).readResults();
  const contrastive = r.stages.stage1;
  const classifier = r.stages.stage2 ?? r.stages.baseline ?? (r.method === 'supcon+ce' ? r.stages.stage1 : undefined);
  return {
    run: r.name,
    method: methodLabel(r.config),
    epochs: r.method === 'ce' ? r.config.baseline.epochs : r.method === 'supcon+ce' ? r.config.stage1.epochs : r.config.stages === 'stage2' ? `- + ${r.config.stage2.epochs}` : `${r.config.stage1.epochs} + ${r.config.stage2.epochs}`,
    'stage-1 loss': contrastive ? contrastive.finalLoss : '-',
    'kNN acc': contrastive?.metrics.knn_accuracy ?? '-',
    'train acc': classifier?.metrics.train_accuracy ?? '-',
    'test acc': r.testAccuracy ?? '-',
    'images/s': contrastive?.imagesPerSecond ?? classifier?.imagesPerSecond ?? 0,
    'wall s': r.wallSeconds,
  };
}

/** How a run's method reads in tables and titles: 'cross-entropy', 'supcon+ce (w 0.5)', 'supcon' (+ ', fine-tuned'). */
export function methodLabel(config: TrainConfig): string {
  if (config.method === 'ce') return 'cross-entropy';
  if (config.method === 'supcon+ce') return `supcon+ce (w ${config.model.supconWeight})`;
  return config.stage2.mode === 'finetune' ? `${config.model.loss}, fine-tuned` : config.model.loss;
}

/** Writes report.html and PNGs into <run>/report from the run's files. */
export async function writeRunReport(runDir: string): Promise<ReportFiles> {
  const folder = new RunFolder(runDir);
  const results = folder.readResults();
  const { config, data } = results;
  const metrics = readMetrics(readFileSync(folder.path('metrics'), 'utf8'));
  const embeddings = [];
  if (folder.has('embeddings')) {
    const tensors = folder.weights('embeddings');
    const labels = tensors.get('labels')!.data as Int32Array;
    for (const name of ['embedding', 'projection']) {
      const t = tensors.get(name);
      if (t) embeddings.push({ name: name === 'embedding' ? 'encoder' : 'projection', dim: t.dims[1]!, vectors: t.data as Float32Array, labels, classes: data.classes });
    }
  }
  return writeReport(folder.path('report'), {
    title: `${results.name}: ${methodLabel(config)} on ${config.dataset}`,
    config,
    metrics,
    ...(results.confusion.length > 0 ? { confusion: { classes: data.classes, matrix: results.confusion } } : {}),
    embeddings,
    results: [resultRow(runDir)],
  });
}
