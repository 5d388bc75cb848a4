// `train`: SupCon stage 1 + stage 2 (or one stage), or the cross-entropy baseline; then export and report.

import { Command } from 'commander';
import { resolveTrainConfig } from '../config/resolve.ts';
import { runTraining } from '../train/pipeline.ts';
import { defaultRunDir } from '../train/run_folder.ts';
import { resumeRequest } from '../train/train.ts';
import { addConfigOptions, commandPatches, printedConfig } from './config_options.ts';
import { printRunSummary } from './summary.ts';

export function trainCommand(): Command {
  const cmd: Command = addConfigOptions(new Command('train').description('train a classifier: SupCon two-stage (default) or the cross-entropy baseline'))
    .option('--resume', 'continue the run in its folder from its last checkpoint (--threads, --workers, --ep and a larger --epochs / --linear-epochs may change)')
    .option('--run-dir <dir>', 'run folder (default artifacts/runs/<name>)')
    .action(async () => {
      const flags = cmd.opts<{ resume?: boolean; runDir?: string }>();
      const patches = commandPatches(cmd);
      const fresh = resolveTrainConfig(patches);
      const runDir = flags.runDir ?? defaultRunDir(fresh.name);
      const config = flags.resume ? resumeRequest(runDir, patches) : fresh;
      if (printedConfig(cmd, config)) return;
      printRunSummary(await runTraining(config, { runDir, resume: flags.resume === true }));
    });
  return cmd;
}
