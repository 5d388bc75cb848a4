// `train`: SupCon stage 1 + stage 2 (or one stage), or the cross-entropy baseline; then export and report.

import { Command } from 'commander';
import { resolveTrainConfig } from '../config/resolve.ts';
import { fitRunToBudget } from '../train/budget.ts';
import { runTraining } from '../train/pipeline.ts';
import { defaultRunDir } from '../train/run_folder.ts';
import { resumeRequest } from '../train/train.ts';
import { minutes } from './compare_command.ts';
import { addConfigOptions, commandPatches, printedConfig } from './config_options.ts';
import { addRecipeOption, withRecipe } from './recipe_option.ts';
import { printRunSummary } from './summary.ts';

export function trainCommand(): Command {
  const cmd: Command = addRecipeOption(addConfigOptions(new Command('train').description('train a classifier: SupCon two-stage (default), the supcon+ce hybrid or the cross-entropy baseline')))
    .option('--minutes <m>', 'wall-clock budget of the whole run: the recipe and the epochs are chosen to fit it on this machine (a short calibration first)', minutes)
    .option('--resume', 'continue the run in its folder from its last checkpoint (--threads, --workers, --ep and a larger --epochs / --linear-epochs may change)')
    .option('--run-dir <dir>', 'run folder (default artifacts/runs/<name>)')
    .action(async () => {
      const started = performance.now();
      const flags = cmd.opts<{ resume?: boolean; runDir?: string; minutes?: number }>();
      if (flags.resume) {
        if (flags.minutes !== undefined) throw new Error('--minutes plans a new run; --resume continues the stored one with its epochs (a larger --epochs extends it)');
        const patches = commandPatches(cmd);
        const runDir = flags.runDir ?? defaultRunDir(resolveTrainConfig(patches).name);
        const config = resumeRequest(runDir, patches);
        if (printedConfig(cmd, config)) return;
        printRunSummary(await runTraining(config, { runDir, resume: true }));
        return;
      }
      let config = resolveTrainConfig(await withRecipe(cmd, commandPatches(cmd), flags.minutes));
      if (printedConfig(cmd, config)) return;
      const runDir = flags.runDir ?? defaultRunDir(config.name);
      if (flags.minutes !== undefined) config = await fitRunToBudget(config, flags.minutes * 60 - (performance.now() - started) / 1000);
      printRunSummary(await runTraining(config, { runDir }));
    });
  return cmd;
}
