// The data of a run, opened the same way by training and by `eval`: the splits (the class-folder split
// drawn from the run's 'split' stream), the model's input side and channels, and the normalisation
// (the training split's statistics unless --input-norm names others).

import { IMAGENET_NORM } from '../config/flags.ts';
import type { InputNorm, TrainConfig } from '../config/train_config.ts';
import { type MeanStd, type OpenedDataset, computeMeanStd, openDataset } from '../data/index.ts';
import { modelInput } from './encoder_file.ts';
import type { RunData } from './run_context.ts';
import { streamSeed } from './streams.ts';

const warn = (message: string): void => {
  process.stderr.write(`warning: ${message}\n`);
};

export interface ModelInput {
  /** Input side; 0 = the data set's own. */
  size: number;
  /** Channels the model takes; image folders are decoded to them, other data sets must have them. */
  channels?: 1 | 3 | undefined;
}

/** The splits of `dataset` as a run of `config` sees them, fed to a model taking `input` (default: the config's). */
export async function openSplits(dataset: string, config: TrainConfig, input: ModelInput = modelInput(config)): Promise<OpenedDataset> {
  const { size, channels } = input;
  const opened = await openDataset(dataset, { ...(size > 0 ? { size } : {}), ...(channels ? { channels } : {}), seed: streamSeed(config.seed, 'split'), onWarning: warn });
  if (channels && opened.train.channels !== channels) {
    throw new Error(`${dataset} has ${opened.train.channels} channel(s), the model takes ${channels}: ${channels === 3 ? 'an image folder is decoded to RGB; ' : ''}choose a data set it can be fed`);
  }
  return opened;
}

/** --input-norm's statistics for `channels`, or undefined for the data set's own. */
function fixedNorm(norm: InputNorm, channels: 1 | 3): MeanStd | undefined {
  if (norm === 'dataset') return undefined;
  if (norm === 'none') return { mean: new Array<number>(channels).fill(0), std: new Array<number>(channels).fill(1) };
  const stats = norm === 'imagenet' ? { mean: [...IMAGENET_NORM.mean], std: [...IMAGENET_NORM.std] } : norm;
  if (stats.mean.length !== channels) throw new Error(`--input-norm ${norm === 'imagenet' ? 'imagenet' : `${stats.mean.join(',')}/${stats.std.join(',')}`} gives statistics for ${stats.mean.length} channel(s), the data has ${channels}`);
  return stats;
}

/** The run's data and its shape (input side, channels, classes, normalisation). */
export async function openRunData(config: TrainConfig): Promise<RunData & Pick<OpenedDataset, 'skipped'>> {
  const opened = await openSplits(config.dataset, config);
  const { train, test, skipped } = opened;
  const normalization = fixedNorm(config.inputNorm ?? 'dataset', train.channels) ?? await computeMeanStd(train, { onWarning: warn });
  return { train, test, skipped, shape: { size: opened.inputSize, channels: train.channels, classes: [...train.classes], normalization } };
}
