// `experiment <spec.json>`: a grid of training runs. The spec's `grid` maps train flags (as typed on the
// command line, without dashes) to lists of values; every combination is one run, each with its matching
// cross-entropy run when `baseline` is true; `base` is a partial TrainConfig under them all.
//
//   { "name": "seed-grid", "base": { "stage1": { "epochs": 3 } }, "baseline": true,
//     "grid": { "optimizer": ["sgd", "rmsprop", "adam"], "schedule": ["constant", "cosine"] } }

import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { gridCombinations, experiment } from '../train/compare.ts';
import { defaultTrainConfig, mergeConfig } from '../train/config.ts';
import { addTrainOptions, type TrainFlags, applyTrainFlags } from './train_options.ts';

interface ExperimentSpec {
  name: string;
  base?: object;
  grid: Record<string, ReadonlyArray<string | number>>;
  baseline?: boolean;
}

function readSpec(path: string): ExperimentSpec {
  const spec = JSON.parse(readFileSync(path, 'utf8')) as Partial<ExperimentSpec>;
  if (typeof spec.name !== 'string' || typeof spec.grid !== 'object' || spec.grid === null) {
    throw new Error(`${path}: an experiment spec needs "name" and "grid" (flag -> list of values)`);
  }
  for (const [flag, values] of Object.entries(spec.grid)) {
    if (!Array.isArray(values) || values.length === 0) throw new Error(`${path}: grid.${flag} must be a non-empty list`);
  }
  return spec as ExperimentSpec;
}

/** Parses one grid point exactly as the train command parses its flags (same choices and checks). */
function parsePoint(point: Record<string, string | number | undefined>): Partial<TrainFlags> {
  const argv = Object.entries(point).flatMap(([flag, v]) => [`--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]);
  const cmd = addTrainOptions(new Command('grid-point')).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<TrainFlags>();
}

export function experimentCommand(): Command {
  return new Command('experiment')
    .description('run a grid of trainings from a JSON spec and write one results table')
    .argument('<spec>', 'experiment spec (JSON)')
    .action(async (path: string) => {
      const spec = readSpec(path);
      const base = mergeConfig(defaultTrainConfig(), spec.base ?? {});
      const points = gridCombinations(spec.grid).map((point) => ({
        label: Object.entries(point).map(([k, v]) => `${k}=${String(v)}`).join(', '),
        config: applyTrainFlags(base, parsePoint(point)),
      }));
      const result = await experiment(spec.name, points, spec.baseline ?? false);
      process.stdout.write(`\n${result.table}\n\nruns and results.md in ${result.dir}\n`);
    });
}
