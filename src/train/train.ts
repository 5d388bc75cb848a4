// One training run: SupCon (stage 1 + stage 2) or the cross-entropy baseline, on one dataset, into one
// run folder (run_folder.ts). Everything that can be wrong with the request (the config, the resume,
// the data set, a batch larger than the data) is found before the folder is written.

import { existsSync } from 'node:fs';
import { type ConfigPatch, resolveTrainConfig } from '../config/resolve.ts';
import { reconcileResume } from '../config/resume.ts';
import { validateTrainConfig } from '../config/schema.ts';
import type { TrainConfig } from '../config/train_config.ts';
import { checkExecutionProvider, sessionFactory } from '../runtime/providers.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import { type Checkpoint, loadWeights } from './checkpoint.ts';
import { type TestResult, embed, sampleIds } from './evaluate.ts';
import { describeRun, planWarnings } from './describe.ts';
import { confusionMatrix } from './eval_metrics.ts';
import { MetricsLog } from './metrics_log.ts';
import { type RunContext, checkpointNow, elapsedSeconds, planSteps } from './run_context.ts';
import { openRunData } from './run_data.ts';
import { RunFolder, defaultRunDir } from './run_folder.ts';
import { RESULTS_FORMAT, type RunResults } from './run_results.ts';
import { runStage } from './stage.ts';
import { stageModel } from './stage_model.ts';
import { baselineSpec, checkStageGraphs, stage1Spec, stage2Spec, testAccuracy } from './stages.ts';
import { streamSeed } from './streams.ts';

export interface TrainOptions {
  /** Default: artifacts/runs/<config.name>. */
  runDir?: string;
  /** Continue the run in `runDir` from its checkpoint; the config may differ only where --resume allows (config/resume.ts). */
  resume?: boolean;
  /** Sessions for an execution provider; config.ep with config.threads when absent. */
  sessions?: SessionFactory;
}

export interface TrainResult {
  runDir: string;
  results: RunResults;
}

/** The config a run continues with: the stored one, with what --resume lets `requested` change. */
function resumedConfig(checkpoint: Checkpoint, requested: TrainConfig): TrainConfig {
  const { config, position, finished } = checkpoint.manifest;
  const stages = (['stage1', 'stage2', 'baseline'] as const).filter((s) => finished[s] !== undefined);
  return reconcileResume(config, requested, { stage: position.stage, finished: stages });
}

/** What `patches` ask of the run in `runDir` on --resume: its stored config with the patches over it, checked against what --resume allows. */
export function resumeRequest(runDir: string, patches: readonly ConfigPatch[]): TrainConfig {
  const checkpoint = new RunFolder(runDir).checkpoint();
  if (!checkpoint) throw new Error(`nothing to resume: ${runDir} has no checkpoint`);
  return resumedConfig(checkpoint, resolveTrainConfig(patches, checkpoint.manifest.config));
}

export async function train(requested: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const folder = new RunFolder(options.runDir ?? defaultRunDir(requested.name));
  const checkpoint = folder.checkpoint();
  if (options.resume && !checkpoint) throw new Error(`nothing to resume: ${folder.dir} has no checkpoint`);
  if (options.resume && folder.finished) throw new Error(`${folder.dir} has finished (results.json exists): nothing to resume`);
  if (!options.resume && (checkpoint || folder.finished)) {
    throw new Error(`${folder.dir} already holds a run: pass --resume to continue it, or choose another --name`);
  }
  const valid = validateTrainConfig(requested);
  const config = checkpoint ? resumedConfig(checkpoint, valid) : valid;
  if (config.method === 'supcon' && config.stages === 'stage2' && !existsSync(config.encoderWeights)) throw new Error(`encoder weights ${config.encoderWeights} do not exist`);
  if (!options.sessions) await checkExecutionProvider(config.ep, { threads: config.threads });
  const data = await openRunData(config);
  const plan = planSteps(config, data.train);
  checkStageGraphs(config, data.shape);

  const stale = folder.removeStaleTemporaries();
  if (stale.length > 0) process.stderr.write(`removed ${stale.length} temporary file(s) of an interrupted write: ${stale.join(', ')}\n`);
  folder.writeConfig(config);
  process.stderr.write(`${describeRun(config, data.shape, { train: data.train.length, test: data.test.length }, plan).join('\n')}\n  config    ${folder.path('config')}\n`);
  for (const w of planWarnings(config, plan, data.train.length)) process.stderr.write(`warning: ${w}\n`);
  const log = new MetricsLog(folder.path('metrics'));
  for (const s of data.skipped) log.write({ kind: 'skipped_file', path: s.path, reason: s.reason });
  const sessions = options.sessions ?? sessionFactory(config.ep, { threads: config.threads });
  const ctx: RunContext = {
    config, folder, log, sessions, plan,
    data: { train: data.train, test: data.test, shape: data.shape },
    inputs: { sessions, norm: data.shape.normalization, size: data.shape.size },
    finished: { ...(checkpoint?.manifest.finished ?? {}) },
    resume: checkpoint,
    elapsedBefore: checkpoint?.manifest.elapsedSeconds ?? 0,
    startedAt: performance.now(),
  };
  log.write({ kind: 'start', resumed: Boolean(checkpoint), dataset: config.dataset, train: data.train.length, test: data.test.length, classes: data.shape.classes.length, size: data.shape.size });

  if (config.method !== 'supcon') {
    // One stage that trains the classifier with the encoder: the baseline, or the supcon+ce hybrid.
    const only = await runStage(ctx, config.method === 'ce' ? baselineSpec(ctx) : stage1Spec(ctx));
    await saveEmbeddings(ctx, only.state);
    return finish(ctx, only.state, await testAccuracy(ctx, only.state));
  }
  const encoderState = await stage1Weights(ctx);
  await saveEmbeddings(ctx, encoderState);
  if (config.stages === 'stage1') return finish(ctx, encoderState, undefined);
  const stage2 = await runStage(ctx, stage2Spec(ctx, encoderState));
  return finish(ctx, stage2.state, await testAccuracy(ctx, stage2.state));
}

/** Encoder (and projection, after stage 1) embeddings of a test subset, for the report's 2-D maps. */
async function saveEmbeddings(ctx: RunContext, state: ReadonlyMap<string, HostTensor>): Promise<void> {
  const { test } = ctx.data;
  const model = { ...stageModel(ctx.config, ctx.data.shape, 'eval'), ...(state.has('head.0.weight') || state.has('head.weight') ? {} : { head: 'none' as const }) };
  const out = await embed(model, state, test, sampleIds(test.length, 2000, streamSeed(ctx.config.seed, 'embeddings')), ctx.inputs);
  const tensors = new Map<string, HostTensor>([['labels', { dtype: 'int32', dims: [out.labels.length], data: out.labels }]]);
  for (const [name, { data, dim }] of Object.entries(out.outputs)) tensors.set(name, { dtype: 'float32', dims: [data.length / dim, dim], data });
  ctx.folder.saveWeights('embeddings', tensors, { classes: JSON.stringify(test.classes) });
}

/** Stage-1 weights: trained now, read back after a resume, or given by `encoderWeights` (stage 2 only). */
async function stage1Weights(ctx: RunContext): Promise<Map<string, HostTensor>> {
  const { config, folder } = ctx;
  if (config.stages === 'stage2') return loadWeights(config.encoderWeights);
  const passed = ctx.finished.stage1 && ctx.resume?.manifest.position.stage !== 'stage1';
  if (passed) return folder.weights('stage1');
  const stage1 = await runStage(ctx, stage1Spec(ctx));
  folder.saveWeights('stage1', stage1.state);
  checkpointNow(ctx, new Map(), { stage: 'stage2', epoch: 0, batch: 0, step: 0 });
  return stage1.state;
}

/** Writes final.safetensors and results.json; `test` is absent when only stage 1 ran. */
function finish(ctx: RunContext, finalState: Map<string, HostTensor>, test: TestResult | undefined): TrainResult {
  const { config, folder, data } = ctx;
  folder.saveWeights('final', finalState);
  const confusion = test ? confusionMatrix(test.predicted, test.labels, data.shape.classes.length) : [];
  const results: RunResults = {
    format: RESULTS_FORMAT,
    name: config.name,
    method: config.method,
    dataset: config.dataset,
    data: data.shape,
    testAccuracy: test ? test.accuracy : null,
    wallSeconds: elapsedSeconds(ctx),
    stages: ctx.finished,
    confusion,
    config,
  };
  folder.writeResults(results);
  ctx.log.write({ kind: 'done', test_accuracy: results.testAccuracy, wall_seconds: results.wallSeconds });
  return { runDir: folder.dir, results };
}
