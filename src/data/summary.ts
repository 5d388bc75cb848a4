// What a recipe needs to know of a data set before anything is decoded: how many training images, how
// many classes, their channels and typical side. Image folders: the scan and the headers of a sample of
// files (no pixel decoding, so it costs well under a second); packaged data sets: their own shapes.

import { openDataset } from './datasets.ts';
import { probeImage } from './decode.ts';
import { FASHION_MNIST_CLASSES } from './fashion_mnist.ts';
import { scanImageFolder, splitByRatio } from './folder_scan.ts';

export interface DataSummary {
  /** Training images (image folders: candidate files of the training split, before decoding). */
  trainImages: number;
  classes: number;
  channels: 1 | 3;
  /** Median shorter side of the sampled images, in pixels. */
  side: number;
}

/** Files sampled for their headers: enough for a median, spread over the classes. */
const SAMPLE = 32;

export async function summarizeDataset(spec: string, options: { splitRatio?: number; seed?: number } = {}): Promise<DataSummary> {
  if (spec === 'fashion-mnist') return { trainImages: 60_000, classes: FASHION_MNIST_CLASSES.length, channels: 1, side: 28 };
  if (spec.startsWith('idx:')) {
    const { train } = await openDataset(spec);
    return { trainImages: train.length, classes: train.classes.length, channels: train.channels, side: train.size };
  }
  const scan = await scanImageFolder(spec);
  const train = scan.layout === 'split-folders' ? scan.train : splitByRatio(scan.train, options.splitRatio ?? 0.8, options.seed ?? 0).train;
  // Evenly spaced files of every class (sorted names, so the sample is the same every time).
  const perClass = Math.max(1, Math.ceil(SAMPLE / train.length));
  const sample = train.flatMap((c) => {
    const n = Math.min(perClass, c.files.length);
    return Array.from({ length: n }, (_, i) => c.files[Math.floor((i * c.files.length) / n)] ?? '');
  });
  const probes = [];
  for (const path of sample) {
    try {
      probes.push(await probeImage(path));
    } catch {
      // undecodable files are reported when the data set is loaded
    }
  }
  const sides = probes.map((p) => Math.min(p.width, p.height)).filter((s) => s > 0).sort((a, b) => a - b);
  return {
    trainImages: train.reduce((n, c) => n + c.files.length, 0),
    classes: scan.classes.length,
    channels: probes.some((p) => p.channels === 3) ? 3 : 1,
    side: sides[Math.floor(sides.length / 2)] ?? 32,
  };
}
