// `compare` and `experiment`: several runs on the same data and budget, one results table.
// Each run lives in its own folder under artifacts/runs/<name>/; a finished run is reused and an
// interrupted one resumed, so a long grid can be stopped and started again.

import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type ResultRow, writeResultsTable } from '../report/index.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import { CHECKPOINT_FILE } from './checkpoint.ts';
import type { TrainConfig } from './config.ts';
import { resultRow, runTraining } from './pipeline.ts';
import { defaultRunDir } from './train.ts';

export interface GridResult {
  dir: string;
  rows: ResultRow[];
  /** The rows as a Markdown table (also written to results.md). */
  table: string;
}

async function runOrReuse(config: TrainConfig, runDir: string): Promise<ResultRow> {
  if (!existsSync(join(runDir, 'results.json'))) {
    await runTraining(config, { runDir, resume: existsSync(join(runDir, CHECKPOINT_FILE)) });
  }
  return resultRow(runDir);
}

/** The cross-entropy baseline with stage 1's data, augmentation, schedule, batch and epoch budget. */
export function matchingBaseline(config: TrainConfig): TrainConfig {
  const { epochs, batchSize, lr, schedule, views } = config.stage1;
  return { ...config, method: 'ce', baseline: { epochs, batchSize, lr, schedule, augmentation: views[0] ?? 'none' } };
}

async function runAll(name: string, runs: ReadonlyArray<{ label: string; config: TrainConfig }>): Promise<GridResult> {
  const dir = defaultRunDir(name);
  mkdirSync(dir, { recursive: true });
  const rows: ResultRow[] = [];
  for (const [i, { label, config }] of runs.entries()) {
    process.stderr.write(`\n== ${name}: run ${i + 1}/${runs.length}: ${label}\n`);
    rows.push({ setting: label, ...(await runOrReuse({ ...config, name: `${name}-${i}` }, join(dir, `${i}`))) });
    const table = writeResultsTable(rows);
    writeFileAtomic(join(dir, 'results.md'), `${table}\n`);
    writeFileAtomic(join(dir, 'results.json'), `${JSON.stringify(rows, null, 2)}\n`);
  }
  return { dir, rows, table: writeResultsTable(rows) };
}

/** SupCon two-stage against the cross-entropy baseline on the same data, augmentation and budget. */
export function compare(config: TrainConfig): Promise<GridResult> {
  return runAll(config.name, [
    { label: `SupCon (${config.model.loss})`, config: { ...config, method: 'supcon' } },
    { label: 'cross-entropy', config: matchingBaseline(config) },
  ]);
}

/** Every combination of the grid's axes (cartesian product), each a partial flag set. */
export function gridCombinations<T extends Record<string, readonly unknown[]>>(grid: T): Array<{ [K in keyof T]?: T[K][number] }> {
  let combos: Array<Record<string, unknown>> = [{}];
  for (const [axis, values] of Object.entries(grid)) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [axis]: v })));
  return combos as Array<{ [K in keyof T]?: T[K][number] }>;
}

/** Runs one configuration per grid point (each with its matching cross-entropy run when `baseline`). */
export function experiment(name: string, points: ReadonlyArray<{ label: string; config: TrainConfig }>, baseline: boolean): Promise<GridResult> {
  return runAll(name, points.flatMap((p) => [p, ...(baseline ? [{ label: `${p.label}, cross-entropy`, config: matchingBaseline(p.config) }] : [])]));
}
