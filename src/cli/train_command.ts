// `train`: SupCon stage 1 + stage 2 (or one stage), or the cross-entropy baseline; then export and report.

import { Command } from 'commander';
import { runTraining } from '../train/pipeline.ts';
import { addTrainOptions, type TrainFlags, trainConfigFrom } from './train_options.ts';
import { printRunSummary } from './summary.ts';

export function trainCommand(): Command {
  return addTrainOptions(new Command('train').description('train a classifier: SupCon two-stage (default) or the cross-entropy baseline'))
    .option('--resume', 'continue the run in artifacts/runs/<name> from its last checkpoint')
    .option('--run-dir <dir>', 'run folder (default artifacts/runs/<name>)')
    .action(async (flags: TrainFlags & { resume?: boolean; runDir?: string }) => {
      const config = trainConfigFrom(flags);
      const result = await runTraining(config, { ...(flags.resume ? { resume: true } : {}), ...(flags.runDir ? { runDir: flags.runDir } : {}) });
      printRunSummary(result);
    });
}
