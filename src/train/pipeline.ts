// The whole job of `train` and `npm start`: train, export the inference model, write the report.
// Export and report read only what the run left in its folder, so `report <run>` can redo them later.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exportModel, specFromModelConfig } from '../export/export_model.ts';
import type { ExportResult } from '../export/export_model.ts';
import { type ReportFiles, type ResultRow, writeReport } from '../report/index.ts';
import { loadWeights } from './checkpoint.ts';
import type { MeanStd } from '../data/index.ts';
import type { Json } from '../export/metadata.ts';
import type { TrainConfig } from './config.ts';
import { readMetrics } from './metrics_log.ts';
import { EMBEDDINGS_FILE, type TrainOptions, type TrainResult, train } from './train.ts';

export interface PipelineResult {
  train: TrainResult;
  exported: ExportResult | undefined;
  report: ReportFiles;
}

export async function runTraining(config: TrainConfig, options: TrainOptions = {}): Promise<PipelineResult> {
  const result = await train(config, options);
  const exported = result.config.export && Number.isFinite(result.testAccuracy) ? await exportRun(result.runDir) : undefined;
  const report = await writeRunReport(result.runDir);
  return { train: result, exported, report };
}

interface RunResults {
  name: string;
  classes: string[];
  normalization: MeanStd;
  confusion: number[][];
  config: TrainConfig;
}

const readResults = (runDir: string): RunResults => JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as RunResults;

/** Exports encoder + classifier of a finished run as model.onnx (+ embedding model, model.json) in its folder. */
export async function exportRun(runDir: string): Promise<ExportResult> {
  const results = readResults(runDir);
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of loadWeights(join(runDir, 'final.safetensors'))) if (t.data instanceof Float32Array) weights.set(name, t.data);
  const { norm, config, classes } = { norm: results.normalization, config: results.config, classes: results.classes };
  const channels = norm.mean.length;
  const size = config.imageSize || config.model.inputSize;
  return exportModel({
    ...specFromModelConfig({ ...config.model, numClasses: classes.length, inputChannels: channels, inputSize: size }),
    weights,
    classes,
    mean: norm.mean,
    std: norm.std,
    modelName: config.name,
    config: JSON.parse(JSON.stringify(config)) as Json,
    outDir: runDir,
  });
}

/** One results-table row of a finished run (also used by compare and experiment). */
export function resultRow(runDir: string): ResultRow {
  const r = JSON.parse(readFileSync(join(runDir, 'results.json'), 'utf8')) as {
    name: string; method: string; test_accuracy: number | null; wall_seconds: number; config: TrainConfig;
    stages: Record<string, { finalLoss: number; imagesPerSecond: number; metrics: Record<string, number> } | undefined>;
  };
  const contrastive = r.stages.stage1;
  const classifier = r.stages.stage2 ?? r.stages.baseline;
  return {
    run: r.name,
    method: r.method === 'ce' ? 'cross-entropy' : r.config.model.loss,
    'stage-1 loss': contrastive ? contrastive.finalLoss : '-',
    'kNN acc': contrastive?.metrics.knn_accuracy ?? '-',
    'train acc': classifier?.metrics.train_accuracy ?? '-',
    'test acc': r.test_accuracy ?? '-',
    'images/s': contrastive?.imagesPerSecond ?? classifier?.imagesPerSecond ?? 0,
    'wall s': r.wall_seconds,
  };
}

/** Writes report.html and PNGs into <run>/report from the run's files. */
export async function writeRunReport(runDir: string): Promise<ReportFiles> {
  const results = readResults(runDir);
  const metrics = readMetrics(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8'));
  const embeddingsPath = join(runDir, EMBEDDINGS_FILE);
  const embeddings = [];
  if (existsSync(embeddingsPath)) {
    const tensors = loadWeights(embeddingsPath);
    const labels = tensors.get('labels')!.data as Int32Array;
    for (const name of ['embedding', 'projection']) {
      const t = tensors.get(name);
      if (t) embeddings.push({ name: name === 'embedding' ? 'encoder' : 'projection', dim: t.dims[1]!, vectors: t.data as Float32Array, labels, classes: results.classes });
    }
  }
  return writeReport(join(runDir, 'report'), {
    title: `${results.name}: ${results.config.method === 'ce' ? 'cross-entropy baseline' : `${results.config.model.loss} two-stage`} on ${results.config.dataset}`,
    config: results.config,
    metrics,
    ...(results.confusion.length > 0 ? { confusion: { classes: results.classes, matrix: results.confusion } } : {}),
    embeddings,
    results: [resultRow(runDir)],
  });
}
