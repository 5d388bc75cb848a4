// `compare`: SupCon two-stage and the cross-entropy baseline on the same data and budget, one table.

import { Command } from 'commander';
import { compare } from '../train/compare.ts';
import { addTrainOptions, type TrainFlags, trainConfigFrom } from './train_options.ts';

export function compareCommand(): Command {
  return addTrainOptions(new Command('compare').description('SupCon vs cross-entropy on the same data, augmentation, schedule and epochs'))
    .action(async (flags: TrainFlags) => {
      const result = await compare(trainConfigFrom({ ...flags, name: flags.name ?? 'compare' }));
      process.stdout.write(`\n${result.table}\n\nruns and results.md in ${result.dir}\n`);
    });
}
