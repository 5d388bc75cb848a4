// `compare`: SupCon two-stage and the cross-entropy baseline on the same data, schedule and epochs, or
// the same wall-clock budget (--minutes), in one table.

import { Command, InvalidArgumentError } from 'commander';
import { type ConfigPatch, resolveTrainConfig } from '../config/resolve.ts';
import { compare, compareRuns, verdict } from '../train/compare.ts';
import { addConfigOptions, commandPatches, printedConfig } from './config_options.ts';
import { addRecipeOption, withRecipe } from './recipe_option.ts';

export function minutes(value: string): number {
  const m = Number(value);
  if (!(m > 0) || !Number.isFinite(m)) throw new InvalidArgumentError(`'${value}' is not a number of minutes > 0`);
  return m;
}

/** compare's runs live in artifacts/runs/compare/ unless --name says otherwise. */
export const COMPARE_NAME: ConfigPatch = { source: 'compare', values: { name: 'compare' } };

export function compareCommand(): Command {
  const cmd: Command = addRecipeOption(addConfigOptions(new Command('compare').description('SupCon two-stage, the supcon+ce hybrid and cross-entropy on the same data, augmentation, schedule and epochs (or wall-clock budget)')))
    .option('--minutes <m>', 'training wall-clock budget of each method: epochs are chosen to fit it (default: all get --epochs)', minutes)
    .action(async () => {
      const { minutes: budget } = cmd.opts<{ minutes?: number }>();
      const config = resolveTrainConfig(await withRecipe(cmd, [COMPARE_NAME, ...commandPatches(cmd)], budget));
      const runs = Object.fromEntries(compareRuns(config).map((r) => [r.label, r.config]));
      if (printedConfig(cmd, { ...(budget === undefined ? {} : { minutes: budget }), runs })) return;
      const result = await compare(config, budget === undefined ? {} : { minutes: budget });
      process.stdout.write(`\n${result.table}\n\n${verdict(result.rows)}\nruns and results.md in ${result.dir}\n`);
    });
  return cmd;
}
