// `compare` and `experiment`: several runs on the same data and budget, one results table.
// Each run lives in its own folder under artifacts/runs/<name>/<i>/; a finished run is reused and an
// interrupted one resumed, so a long grid can be stopped and started again.

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveTrainConfig } from '../config/resolve.ts';
import type { TrainConfig } from '../config/train_config.ts';
import { type ResultRow, writeResultsTable } from '../report/index.ts';
import { sessionFactory } from '../runtime/providers.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import { fitToBudget } from './budget.ts';
import { resultRow, runTraining } from './pipeline.ts';
import { RunFolder, defaultRunDir } from './run_folder.ts';

export interface GridResult {
  dir: string;
  rows: ResultRow[];
  /** The rows as a Markdown table (also written to results.md). */
  table: string;
}

export interface GridRun {
  label: string;
  config: TrainConfig;
}

export interface GridOptions {
  /** Training wall-clock budget of every run, in minutes: each run's epochs are chosen to fit it. */
  minutes?: number;
  /** ONNX Runtime threads of every run, over its config's (a resumed run may change them). */
  threads?: number;
}

/** The result row of the run in `folder`: reused when it has finished, resumed from its checkpoint, or trained. */
export async function runOrReuse(run: GridRun, folder: RunFolder, options: GridOptions): Promise<ResultRow> {
  if (!folder.finished) {
    const resume = folder.has('checkpoint');
    let { config } = run;
    if (resume) config = folder.storedConfig();
    if (options.threads !== undefined) config = { ...config, threads: options.threads };
    if (!resume && options.minutes !== undefined) {
      const plan = await fitToBudget(config, options.minutes * 60, sessionFactory(config.ep, { threads: config.threads }));
      config = plan.config;
      const epochs = config.method === 'ce' ? config.baseline.epochs : config.method === 'supcon+ce' ? config.stage1.epochs : `${config.stage1.epochs} + ${config.stage2.epochs}`;
      process.stderr.write(`${run.label}: ${epochs} epochs fit ${options.minutes} min (estimated ${(plan.estimateSeconds / 60).toFixed(1)} min of training)\n`);
    }
    await runTraining(config, { runDir: folder.dir, resume });
  }
  return resultRow(folder.dir);
}

/**
 * The cross-entropy baseline with stage 1's data, augmentation, schedule, batch and epoch budget, in
 * chunks of at most stage 1's rows (the largest that divide its batch: it has one view per image).
 */
export function matchingBaseline(config: TrainConfig): TrainConfig {
  const { epochs, batchSize, lr, schedule, warmupEpochs, views, chunkSize } = config.stage1;
  let chunk = Math.min(chunkSize, batchSize);
  while (chunk > 0 && batchSize % chunk !== 0) chunk--;
  const baseline = { epochs, batchSize, lr, schedule, warmupEpochs, augmentation: views[0] ?? 'none', chunkSize: chunk };
  return resolveTrainConfig([{ source: 'the matching baseline', values: { method: 'ce', baseline } }], config);
}

/** The runs in order, each named <name>-<i> (the local grid keeps run i in <name>/<i>/). */
function namedRuns(name: string, runs: readonly GridRun[]): GridRun[] {
  return runs.map((run, i) => ({ ...run, config: resolveTrainConfig([{ source: run.label, values: { name: `${name}-${i}` } }], run.config) }));
}

/** Runs `runs` (named by namedRuns) one after another into <name>/<i>/, writing the table after each. */
async function runAll(name: string, runs: readonly GridRun[], options: GridOptions): Promise<GridResult> {
  const dir = defaultRunDir(name);
  mkdirSync(dir, { recursive: true });
  const rows: ResultRow[] = [];
  for (const [i, run] of runs.entries()) {
    process.stderr.write(`\n== ${name}: run ${i + 1}/${runs.length}: ${run.label}\n`);
    rows.push({ setting: run.label, ...(await runOrReuse(run, new RunFolder(join(dir, `${i}`)), options)) });
    writeGridResults(dir, rows);
  }
  return { dir, rows, table: writeResultsTable(rows) };
}

/** Writes a grid's results.md (the Markdown table) and rows.json into `dir`; returns the table. */
export function writeGridResults(dir: string, rows: ResultRow[]): string {
  const table = writeResultsTable(rows);
  writeFileAtomic(join(dir, 'results.md'), `${table}\n`);
  writeFileAtomic(join(dir, 'rows.json'), `${JSON.stringify(rows, null, 2)}\n`);
  return table;
}

/**
 * The runs of `compare` on the same data, augmentation, schedule and budget: SupCon two-stage, the
 * supcon+ce hybrid (one stage, stage 1's settings) and the cross-entropy baseline.
 */
export function compareRuns(config: TrainConfig): GridRun[] {
  const supcon = config.model.loss === 'max_margin' ? [] : [{ label: 'supcon+ce', config: resolveTrainConfig([{ source: 'compare', values: { method: 'supcon+ce', model: { loss: 'supcon' } } }], config) }];
  return [
    { label: `SupCon (${config.model.loss})`, config: resolveTrainConfig([{ source: 'compare', values: { method: 'supcon' } }], config) },
    ...supcon,
    { label: 'cross-entropy', config: matchingBaseline(config) },
  ];
}

/** SupCon against the cross-entropy baseline on the same data, augmentation and epochs or wall-clock budget. */
export function compare(config: TrainConfig, options: GridOptions = {}): Promise<GridResult> {
  return runAll(config.name, namedRuns(config.name, compareRuns(config)), options);
}

/**
 * What a comparison found, in one plain sentence: the best SupCon-family run against cross-entropy, by
 * test accuracy, and what to train on this data.
 */
export function verdict(rows: readonly ResultRow[]): string {
  const accuracy = (r: ResultRow): number => (typeof r['test acc'] === 'number' ? r['test acc'] : Number.NaN);
  const ce = rows.find((r) => r.method === 'cross-entropy');
  const family = rows.filter((r) => r !== ce && Number.isFinite(accuracy(r))).sort((a, b) => accuracy(b) - accuracy(a));
  const best = family[0];
  if (!ce || !best || !Number.isFinite(accuracy(ce))) return '';
  const points = ((accuracy(best) - accuracy(ce)) * 100).toFixed(1);
  const method = String(best.method);
  const flag = method.startsWith('supcon+ce') ? '--method supcon+ce' : method.endsWith('fine-tuned') ? '--method supcon --stage2 finetune' : `--method ${method === 'max_margin' ? 'max-margin' : method}`;
  return accuracy(best) >= accuracy(ce)
    ? `${method} wins here: ${accuracy(best).toFixed(3)} against cross-entropy's ${accuracy(ce).toFixed(3)} (+${points} points); train it with ${flag}.\n`
    : `cross-entropy wins here: ${accuracy(ce).toFixed(3)} against ${accuracy(best).toFixed(3)} for the best SupCon-family method (${method}, ${points} points); on this data and budget train with --method ce.\n`;
}

/** Every combination of the grid's axes (cartesian product), each a partial flag set. */
export function gridCombinations<T extends Record<string, readonly unknown[]>>(grid: T): Array<{ [K in keyof T]?: T[K][number] }> {
  let combos: Array<Record<string, unknown>> = [{}];
  for (const [axis, values] of Object.entries(grid)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  return combos as Array<{ [K in keyof T]?: T[K][number] }>;
}

/** The runs of an experiment in order: each grid point, followed by its matching cross-entropy run when `baseline`, named <name>-<i>. */
export function experimentRuns(name: string, points: readonly GridRun[], baseline: boolean): GridRun[] {
  return namedRuns(name, points.flatMap((p) => [p, ...(baseline ? [{ label: `${p.label}, cross-entropy`, config: matchingBaseline(p.config) }] : [])]));
}

/** Runs one configuration per grid point (each with its matching cross-entropy run when `baseline`). */
export function experiment(name: string, points: readonly GridRun[], baseline: boolean, options: GridOptions = {}): Promise<GridResult> {
  return runAll(name, experimentRuns(name, points, baseline), options);
}
