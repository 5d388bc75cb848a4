// One training run: SupCon (stage 1 + stage 2) or the cross-entropy baseline, on one dataset, into one
// folder: config.json, metrics.jsonl, checkpoint.safetensors (resumable), per-stage weights,
// final.safetensors, results.json, and the report.

import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { computeMeanStd, openDataset } from '../data/index.ts';
import { cpuSessionFactory, type SessionFactory } from '../runtime/step_runner.ts';
import type { HostTensor } from '../runtime/session.ts';
import { writeFileAtomic } from './atomic_write.ts';
import { type StageName, type StageSummary, loadCheckpoint, loadWeights, saveWeights } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { trainBaseline } from './baseline.ts';
import { MetricsLog } from './metrics_log.ts';
import { type RunContext, checkpointNow, elapsedSeconds } from './run_context.ts';
import { trainStage1 } from './stage1.ts';
import { testAccuracy, trainStage2 } from './stage2.ts';
import { confusionMatrix } from './knn.ts';

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
  /** Parameters and buffers of the final classifier model (encoder + classifier). */
  finalWeights: string;
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
    sessions: options.sessions ?? cpuSessionFactory({ threads: config.threads }),
    finished: { ...(checkpoint?.manifest.finished ?? {}) },
    resume: checkpoint,
    elapsedBefore: checkpoint?.manifest.elapsedSeconds ?? 0,
    startedAt: performance.now(),
  };
  log.write({ kind: 'start', resumed: Boolean(checkpoint), dataset: config.dataset, train: opened.train.length, test: opened.test.length, classes: opened.train.classes.length });

  let finalState: Map<string, HostTensor>;
  if (config.method === 'supcon') {
    const stage1Path = join(runDir, 'stage1.safetensors');
    let encoderState: Map<string, HostTensor>;
    if (ctx.finished.stage1) {
      encoderState = loadWeights(stage1Path);
    } else {
      const stage1 = await trainStage1(ctx);
      encoderState = stage1.state;
      saveWeights(stage1Path, encoderState);
      ctx.finished.stage1 = stage1.summary;
      checkpointNow(ctx, new Map(), { stage: 'stage2', epoch: 0, batch: 0, step: 0 });
    }
    const stage2 = await trainStage2(ctx, encoderState);
    ctx.finished.stage2 = stage2.summary;
    finalState = stage2.state;
  } else {
    const baseline = await trainBaseline(ctx);
    ctx.finished.baseline = baseline.summary;
    finalState = baseline.state;
  }

  const finalWeights = join(runDir, 'final.safetensors');
  saveWeights(finalWeights, finalState);
  const test = await testAccuracy(ctx, finalState);
  const confusion = confusionMatrix(test.predicted, test.labels, opened.train.classes.length);
  const wallSeconds = elapsedSeconds(ctx);
  const result: TrainResult = { runDir, config, testAccuracy: test.accuracy, stages: ctx.finished, wallSeconds, confusion, finalWeights };
  writeFileAtomic(join(runDir, 'results.json'), `${JSON.stringify({
    name: config.name,
    method: config.method,
    dataset: config.dataset,
    classes: opened.train.classes,
    normalization: norm,
    test_accuracy: test.accuracy,
    wall_seconds: wallSeconds,
    stages: ctx.finished,
    confusion,
    config,
  }, null, 2)}\n`);
  log.write({ kind: 'done', test_accuracy: test.accuracy, wall_seconds: wallSeconds });
  return result;
}
