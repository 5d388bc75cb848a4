// An experiment spec: a grid of training runs. The spec's `grid` maps train flags (as typed on the command
// line, without dashes) to lists of values; every combination is one run, each with its matching
// cross-entropy run when `baseline` is true; `base` is a partial TrainConfig under them all, and flags
// given on the command line apply over `base`.
//
//   { "name": "seed-grid", "base": { "stage1": { "epochs": 3 } }, "baseline": true,
//     "grid": { "optimizer": ["sgd", "rmsprop", "adam"], "schedule": ["constant", "cosine"] } }

import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { findFlag } from '../config/flags.ts';
import { type ConfigPatch, resolveTrainConfig } from '../config/resolve.ts';
import type { CellJob } from '../queue/cells.ts';
import { type GridRun, experimentRuns, gridCombinations } from '../train/compare.ts';
import { commandPatches } from './config_options.ts';

export interface ExperimentSpec {
  name: string;
  base?: Record<string, unknown>;
  grid: Record<string, ReadonlyArray<string | number | boolean>>;
  baseline?: boolean;
}

function readSpec(path: string): ExperimentSpec {
  let spec: Partial<ExperimentSpec>;
  try {
    spec = JSON.parse(readFileSync(path, 'utf8')) as Partial<ExperimentSpec>;
  } catch (err) {
    throw new Error(`experiment spec ${path}: ${(err as Error).message}`);
  }
  if (typeof spec.name !== 'string' || typeof spec.grid !== 'object' || spec.grid === null) {
    throw new Error(`${path}: an experiment spec needs "name" and "grid" (flag -> list of values)`);
  }
  for (const [flag, values] of Object.entries(spec.grid)) {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`${path}: grid.${flag} must be a non-empty list`);
    findFlag(flag);
  }
  return spec as ExperimentSpec;
}

/** One grid point as patches, each value parsed by its flag exactly as on the command line. */
function pointPatches(point: Record<string, string | number | boolean | undefined>): ConfigPatch[] {
  return Object.entries(point).flatMap(([key, v]) => {
    if (v === undefined) return [];
    const flag = findFlag(key);
    return [{ source: `grid ${key}=${String(v)}`, values: flag.patch(typeof v === 'boolean' ? v : String(v)) }];
  });
}

export interface SpecPoints {
  spec: ExperimentSpec;
  /** One resolved, validated configuration per grid point (without the baselines). */
  points: GridRun[];
}

/** The spec at `path` with the command's flags over its base: every grid point's configuration. */
export function specPoints(path: string, cmd: Command): SpecPoints {
  const spec = readSpec(path);
  const base: ConfigPatch[] = [{ source: `${path} base`, values: { name: spec.name, ...(spec.base ?? {}) } }, ...commandPatches(cmd)];
  const points = gridCombinations(spec.grid).map((point) => ({
    label: Object.entries(point).map(([k, v]) => `${k}=${String(v)}`).join(', '),
    config: resolveTrainConfig([...base, ...pointPatches(point)]),
  }));
  return { spec, points };
}

/** Every run of the experiment as a queue cell, in the order of its results table. */
export function specCells({ spec, points }: SpecPoints, budget: number | undefined): CellJob[] {
  return experimentRuns(spec.name, points, spec.baseline ?? false).map((run, index) => ({
    experiment: spec.name, index, label: run.label, config: run.config, ...(budget === undefined ? {} : { minutes: budget }),
  }));
}
