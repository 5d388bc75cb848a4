// The data of a run, opened the same way by training and by `eval`: the splits (the class-folder split
// drawn from the run's 'split' stream), the model's input side, and the normalisation of the training split.

import type { TrainConfig } from '../config/train_config.ts';
import { type OpenedDataset, computeMeanStd, openDataset } from '../data/index.ts';
import type { RunData } from './run_context.ts';
import { streamSeed } from './streams.ts';

const warn = (message: string): void => {
  process.stderr.write(`warning: ${message}\n`);
};

/** The splits of `dataset` as a run of `config` sees them, at input side `size` (default: the config's). */
export function openSplits(dataset: string, config: TrainConfig, size = config.imageSize): Promise<OpenedDataset> {
  return openDataset(dataset, { ...(size > 0 ? { size } : {}), seed: streamSeed(config.seed, 'split'), onWarning: warn });
}

/** The run's data and its shape (input side, channels, classes, normalisation). */
export async function openRunData(config: TrainConfig): Promise<RunData & Pick<OpenedDataset, 'skipped'>> {
  const opened = await openSplits(config.dataset, config);
  const normalization = await computeMeanStd(opened.train, { onWarning: warn });
  const { train, test, skipped } = opened;
  return { train, test, skipped, shape: { size: opened.inputSize, channels: train.channels, classes: [...train.classes], normalization } };
}
