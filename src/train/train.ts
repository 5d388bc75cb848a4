// One training run: SupCon (stage 1 + stage 2) or the cross-entropy baseline, on one dataset, into one
// folder: config.json, metrics.jsonl, checkpoint.safetensors (resumable), per-stage weights,
// final.safetensors, results.json, and the report.

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type MeanStd, computeMeanStd, openDataset } from '../data/index.ts';
import { checkExecutionProvider, sessionFactory } from '../runtime/providers.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import type { HostTensor } from '../runtime/session.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import { type StageName, type StageSummary, loadCheckpoint, loadWeights, saveWeights } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { trainBaseline } from './baseline.ts';
import { MetricsLog } from './metrics_log.ts';
import { buildEmbed } from '../../graphs/stages.ts';
import { EvalModel, runOverDataset, sampleIds } from './evaluate.ts';
import { type RunContext, checkpointNow, elapsedSeconds, stageModel } from './run_context.ts';
import { trainStage1 } from './stage1.ts';
import { type TestResult, testAccuracy, trainStage2 } from './stage2.ts';
import { confusionMatrix } from './eval_metrics.ts';

export interface TrainOptions {
  /** Default: artifacts/runs/<config.name>. */
  runDir?: string;
  /** Continue the run in `runDir` from its checkpoint (its stored config wins). */
  resume?: boolean;
  /** Sessions for an execution provider; CPU with config.threads when absent. */
  sessions?: SessionFactory;
}

export interface TrainResult {
  runDir: string;
  config: TrainConfig;
  testAccuracy: number;
  stages: Partial<Record<StageName, StageSummary>>;
  wallSeconds: number;
  confusion: number[][];
  /** Parameters and buffers of the final model (encoder + classifier; encoder + head after stage 1 only). */
  finalWeights: string;
  classes: readonly string[];
  norm: MeanStd;
}

export function defaultRunDir(name: string): string {
  return resolve('artifacts', 'runs', name);
}

export async function train(requested: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const runDir = options.runDir ?? defaultRunDir(requested.name);
  const checkpoint = loadCheckpoint(runDir);
  if (options.resume && !checkpoint) throw new Error(`nothing to resume: ${runDir} has no checkpoint`);
  if (options.resume && existsSync(join(runDir, 'results.json'))) throw new Error(`${runDir} has finished (results.json exists): nothing to resume`);
  if (!options.resume && (checkpoint || existsSync(join(runDir, 'results.json')))) {
    throw new Error(`${runDir} already holds a run: pass --resume to continue it, or choose another --name`);
  }
  const config = checkpoint?.manifest.config ?? requested;
  if (!options.sessions) await checkExecutionProvider(config.ep, { threads: config.threads });
  mkdirSync(runDir, { recursive: true });
  writeFileAtomic(join(runDir, 'config.json'), `${JSON.stringify(config, null, 2)}\n`);

  const opened = await openDataset(config.dataset, {
    ...(config.imageSize > 0 ? { size: config.imageSize } : {}),
    seed: config.seed,
    onWarning: (message) => process.stderr.write(`warning: ${message}\n`),
  });
  const log = new MetricsLog(join(runDir, 'metrics.jsonl'));
  for (const s of opened.skipped) log.write({ kind: 'skipped_file', path: s.path, reason: s.reason });
  const norm = await computeMeanStd(opened.train, 10_000);
  const ctx: RunContext = {
    config, runDir, log,
    data: { train: opened.train, test: opened.test, norm },
    sessions: options.sessions ?? sessionFactory(config.ep, { threads: config.threads }),
    finished: { ...(checkpoint?.manifest.finished ?? {}) },
    resume: checkpoint,
    elapsedBefore: checkpoint?.manifest.elapsedSeconds ?? 0,
    startedAt: performance.now(),
  };
  log.write({ kind: 'start', resumed: Boolean(checkpoint), dataset: config.dataset, train: opened.train.length, test: opened.test.length, classes: opened.train.classes.length });

  if (config.method === 'ce') {
    const baseline = await trainBaseline(ctx);
    ctx.finished.baseline = baseline.summary;
    await saveEmbeddings(ctx, baseline.state);
    return finish(ctx, baseline.state, await testAccuracy(ctx, baseline.state));
  }
  const encoderState = await stage1Weights(ctx);
  await saveEmbeddings(ctx, encoderState);
  if (config.stages === 'stage1') return finish(ctx, encoderState, undefined);
  const stage2 = await trainStage2(ctx, encoderState);
  ctx.finished.stage2 = stage2.summary;
  return finish(ctx, stage2.state, await testAccuracy(ctx, stage2.state));
}

export const EMBEDDINGS_FILE = 'embeddings.safetensors';

/** Encoder (and projection, after stage 1) embeddings of a test subset, for the report's 2-D maps. */
async function saveEmbeddings(ctx: RunContext, state: ReadonlyMap<string, HostTensor>): Promise<void> {
  const { test } = ctx.data;
  const model = { ...stageModel(ctx, 1), ...(state.has('head.0.weight') || state.has('head.weight') ? {} : { head: 'none' as const }) };
  const embed = await EvalModel.create(buildEmbed(model), state, ctx.sessions);
  const out = await runOverDataset(embed, test, sampleIds(test.length, 2000, ctx.config.seed + 4), ctx.data.norm);
  const tensors = new Map<string, HostTensor>([['labels', { dtype: 'int32', dims: [out.labels.length], data: out.labels }]]);
  for (const [name, { data, dim }] of Object.entries(out.outputs)) tensors.set(name, { dtype: 'float32', dims: [data.length / dim, dim], data });
  saveWeights(join(ctx.runDir, EMBEDDINGS_FILE), tensors, { classes: JSON.stringify(test.classes) });
}

/** Stage-1 weights: trained now, read back after a resume, or given by `encoderWeights` (stage 2 only). */
async function stage1Weights(ctx: RunContext): Promise<Map<string, HostTensor>> {
  const { config, runDir } = ctx;
  if (config.stages === 'stage2') {
    if (!config.encoderWeights) throw new Error('stages "stage2" needs encoderWeights (stage1.safetensors of an earlier run)');
    if (!existsSync(config.encoderWeights)) throw new Error(`encoder weights ${config.encoderWeights} do not exist`);
    return loadWeights(config.encoderWeights);
  }
  const path = join(runDir, 'stage1.safetensors');
  if (ctx.finished.stage1) return loadWeights(path);
  const stage1 = await trainStage1(ctx);
  saveWeights(path, stage1.state);
  ctx.finished.stage1 = stage1.summary;
  checkpointNow(ctx, new Map(), { stage: 'stage2', epoch: 0, batch: 0, step: 0 });
  return stage1.state;
}

/** Writes final.safetensors and results.json; `test` is absent when only stage 1 ran. */
function finish(ctx: RunContext, finalState: Map<string, HostTensor>, test: TestResult | undefined): TrainResult {
  const { config, runDir, data } = ctx;
  const finalWeights = join(runDir, 'final.safetensors');
  saveWeights(finalWeights, finalState);
  const classes = data.train.classes;
  const confusion = test ? confusionMatrix(test.predicted, test.labels, classes.length) : [];
  const wallSeconds = elapsedSeconds(ctx);
  const testAccuracyValue = test?.accuracy ?? Number.NaN;
  writeFileAtomic(join(runDir, 'results.json'), `${JSON.stringify({
    name: config.name,
    method: config.method,
    dataset: config.dataset,
    classes,
    normalization: data.norm,
    test_accuracy: test ? test.accuracy : null,
    wall_seconds: wallSeconds,
    stages: ctx.finished,
    confusion,
    config,
  }, null, 2)}\n`);
  ctx.log.write({ kind: 'done', test_accuracy: test ? test.accuracy : null, wall_seconds: wallSeconds });
  return { runDir, config, testAccuracy: testAccuracyValue, stages: ctx.finished, wallSeconds, confusion, finalWeights, classes, norm: data.norm };
}
