// `experiment <spec.json>`: a grid of training runs. The spec's `grid` maps train flags (as typed on the
// command line, without dashes) to lists of values; every combination is one run, each with its matching
// cross-entropy run when `baseline` is true; `base` is a partial TrainConfig under them all, and flags
// given on the command line apply over `base`.
//
//   { "name": "seed-grid", "base": { "stage1": { "epochs": 3 } }, "baseline": true,
//     "grid": { "optimizer": ["sgd", "rmsprop", "adam"], "schedule": ["constant", "cosine"] } }

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { findFlag } from '../config/flags.ts';
import { type ConfigPatch, resolveTrainConfig } from '../config/resolve.ts';
import { experiment, gridCombinations } from '../train/compare.ts';
import { minutes } from './compare_command.ts';
import { addConfigOptions, commandPatches, printedConfig } from './config_options.ts';

interface ExperimentSpec {
  name: string;
  base?: Record<string, unknown>;
  grid: Record<string, ReadonlyArray<string | number | boolean>>;
  baseline?: boolean;
}

function readSpec(path: string): ExperimentSpec {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as Partial<ExperimentSpec>;
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

export function experimentCommand(): Command {
  const cmd: Command = addConfigOptions(new Command('experiment').description('run a grid of trainings from a JSON spec and write one results table'))
    .argument('<spec>', 'experiment spec (JSON)')
    .option('--minutes <m>', 'training wall-clock budget of every run: epochs are chosen to fit it', minutes)
    .action(async (path: string) => {
      const spec = readSpec(path);
      const { minutes: budget } = cmd.opts<{ minutes?: number }>();
      const base: ConfigPatch[] = [{ source: `${path} base`, values: { name: spec.name, ...(spec.base ?? {}) } }, ...commandPatches(cmd)];
      const points = gridCombinations(spec.grid).map((point) => ({
        label: Object.entries(point).map(([k, v]) => `${k}=${String(v)}`).join(', '),
        config: resolveTrainConfig([...base, ...pointPatches(point)]),
      }));
      if (printedConfig(cmd, Object.fromEntries(points.map((p) => [p.label, p.config])))) return;
      const result = await experiment(spec.name, points, spec.baseline ?? false, budget === undefined ? {} : { minutes: budget });
      process.stdout.write(`\n${result.table}\n\nruns and results.md in ${result.dir}\n`);
    });
  return cmd;
}
