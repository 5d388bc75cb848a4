// Image-folder datasets (layouts in folder_scan.ts). Every file of the requested split is decoded
// once at load time, with bounded concurrency, so a bad file is reported here and never crashes an
// epoch. Images are decoded at a side larger than the model's (size / 0.875, torchvision's Resize
// before a CenterCrop or RandomResizedCrop of `size`, but never above the images' own resolution),
// so random crops take their pixels from the photo rather than up-scaling a model-sized thumbnail.
// Decoded images are kept as Uint8 in shared memory when they fit under `memoryLimitBytes` (4x
// smaller than Float32; workers read them without copies) and cached on disk (folder_cache.ts);
// otherwise the probe only validates and images are decoded again on access.

import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { FileDataset, PixelDataset, sharedBytes, type ShareableDataset } from './dataset.ts';
import { type ImageProbe, decodeImageU8, probeImage } from './decode.ts';
import { DecodeError, type SkippedFile } from './errors.ts';
import { folderCacheKey, readFolderCache, writeFolderCache, type DecodedFolder } from './folder_cache.ts';
import { scanImageFolder, splitByRatio, type ClassFiles } from './folder_scan.ts';
import type { Channels } from './image.ts';
import { DEFAULT_CACHE_DIR } from './paths.ts';
import { mapPool } from './pool.ts';

export interface ImageFolderOptions {
  /** The model's input side; images are stored at `decodeSide(size, ...)` (see decodeSide). */
  size: number;
  /** Side the images are decoded and stored at (shorter side resized, centre-cropped); default decodeSide(). */
  decodeSide?: number;
  /** Default: 1 if the first images sampled are all grayscale, else 3. */
  channels?: Channels;
  /** Default 'train'; 'all' = every file (class-folder layout only). */
  split?: 'train' | 'test' | 'all';
  /** Fraction of each class in train for the class-folder layout (default 0.8). */
  splitRatio?: number;
  /** Seed of the stratified split. */
  seed: number;
  /** Decodes in flight (default 4 x cores). */
  concurrency?: number;
  /** Above this many bytes of Uint8 pixels, images are decoded on access instead (default 2 GiB). */
  memoryLimitBytes?: number;
  /**
   * Decoded-pixel cache folder, or false for none. Default: artifacts/cache/, used only for folders of
   * at least 2,000 images (small ones decode in about a second, and tests on temp folders should
   * not leave caches behind).
   */
  cacheDir?: string | false;
  /** Receives one summary line about skipped files (default: process.emitWarning). */
  onWarning?: (message: string) => void;
}

const DEFAULT_CACHE_MIN_FILES = 2000;

export type ImageFolderDataset = ShareableDataset & {
  readonly root: string;
  /** Files left out (unsupported, empty, or failed to decode), with the reason. */
  readonly skipped: readonly SkippedFile[];
};

/** torchvision's resize before a crop of `size` (256 for 224), capped at the smallest sampled shorter side. */
export function decodeSide(size: number, shorterSides: readonly number[]): number {
  const wanted = Math.floor(size / 0.875);
  const smallest = shorterSides.filter((s) => s > 0).reduce((a, b) => Math.min(a, b), wanted);
  return Math.max(size, Math.min(wanted, smallest));
}

/** Headers of the first file of each class, then the second, ... up to 16: cheap, and the same for both splits. */
async function probeSample(classes: readonly ClassFiles[]): Promise<ImageProbe[]> {
  const sample: string[] = [];
  for (let k = 0; sample.length < 16 && classes.some((c) => c.files.length > k); k++) {
    for (const c of classes) {
      const f = c.files[k];
      if (f !== undefined && sample.length < 16) sample.push(f);
    }
  }
  const probes: ImageProbe[] = [];
  for (const path of sample) {
    try {
      probes.push(await probeImage(path));
    } catch {
      // undecodable files are reported by the decode pass
    }
  }
  return probes;
}

/**
 * Decodes every path; pixels of the ones that decode, packed in order (empty when !keepPixels).
 * Failures are retried one at a time after the concurrent pass: libvips' error text is unreliable
 * under concurrency (it may read "Unknown error"), and a transient failure (EMFILE) gets a second try.
 */
async function decodeAll(paths: readonly string[], size: number, channels: Channels, keepPixels: boolean, concurrency: number): Promise<DecodedFolder> {
  const decodeOne = async (path: string): Promise<Uint8Array | string> => {
    try {
      const img = await decodeImageU8(path, { channels, size });
      return keepPixels ? img.data : new Uint8Array(0);
    } catch (err) {
      return err instanceof DecodeError ? err.reason : String(err);
    }
  };
  const results = await mapPool(paths, concurrency, decodeOne);
  const failed = new Map<number, string>();
  for (let i = 0; i < results.length; i++) {
    if (typeof results[i] !== 'string') continue;
    const again = await decodeOne(paths[i] ?? '');
    results[i] = again;
    if (typeof again === 'string') failed.set(i, again);
  }
  const per = size * size * channels;
  const pixels = sharedBytes(keepPixels ? (paths.length - failed.size) * per : 0);
  let k = 0;
  for (const r of results) if (r instanceof Uint8Array && keepPixels) pixels.set(r, per * k++);
  return { pixels, failed };
}

function warnSkipped(root: string, skipped: readonly SkippedFile[], warn: (m: string) => void): void {
  if (skipped.length === 0) return;
  const shown = skipped.slice(0, 5).map((s) => `  ${s.path}: ${s.reason}`).join('\n');
  const more = skipped.length > 5 ? `\n  ... and ${skipped.length - 5} more` : '';
  warn(`${skipped.length} file(s) skipped in ${root}:\n${shown}${more}`);
}

export async function loadImageFolder(root: string, opts: ImageFolderOptions): Promise<ImageFolderDataset> {
  const split = opts.split ?? 'train';
  const scan = await scanImageFolder(root);
  const probes = opts.channels === undefined || opts.decodeSide === undefined ? await probeSample(scan.train) : [];
  const channels = opts.channels ?? (probes.some((p) => p.channels === 3) ? 3 : 1);
  const side = opts.decodeSide ?? decodeSide(opts.size, probes.map((p) => Math.min(p.width, p.height)));
  let chosen: ClassFiles[];
  if (scan.layout === 'split-folders') {
    if (split === 'all') throw new RangeError(`split 'all' needs the class-folder layout; ${root} has train/ and test/`);
    chosen = split === 'train' ? scan.train : scan.test;
  } else if (split === 'all') {
    chosen = scan.train;
  } else {
    chosen = splitByRatio(scan.train, opts.splitRatio ?? 0.8, opts.seed)[split];
  }
  // Class folders shared by both splits report their unusable files in both.
  const skipped: SkippedFile[] = [...(scan.layout === 'split-folders' && split === 'test' ? scan.skipped.test : scan.skipped.train)];

  const paths: string[] = [];
  const labelOf: number[] = [];
  for (const c of chosen) {
    const label = scan.classes.indexOf(c.name);
    for (const path of c.files) {
      paths.push(path);
      labelOf.push(label);
    }
  }
  const per = side * side * channels;
  const inMemory = paths.length * per <= (opts.memoryLimitBytes ?? 2 ** 31);
  const cacheDir = opts.cacheDir === false ? undefined
    : opts.cacheDir ?? (paths.length >= DEFAULT_CACHE_MIN_FILES ? DEFAULT_CACHE_DIR : undefined);
  const key = inMemory && cacheDir !== undefined ? folderCacheKey(paths, scan.stats, side, channels) : undefined;
  const warn = opts.onWarning ?? ((m: string) => process.emitWarning(m, 'DatasetWarning'));

  let decoded = cacheDir !== undefined && key !== undefined ? await readFolderCache(cacheDir, key, paths.length, per) : undefined;
  if (decoded === undefined) {
    decoded = await decodeAll(paths, side, channels, inMemory, opts.concurrency ?? 4 * availableParallelism());
    if (cacheDir !== undefined && key !== undefined) {
      const problem = await writeFolderCache(cacheDir, key, paths.length, per, decoded);
      if (problem !== undefined) warn(problem);
    }
  }
  for (const [i, reason] of decoded.failed) skipped.push({ path: paths[i] ?? '?', reason });
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  warnSkipped(root, skipped, warn);

  const keep = paths.map((_, i) => i).filter((i) => !decoded.failed.has(i));
  const labels = Int32Array.from(keep, (i) => labelOf[i] ?? 0);
  const meta = { name: `${basename(root)}:${split}`, classes: scan.classes, channels, size: side };
  const dataset: ShareableDataset = inMemory
    ? new PixelDataset(meta, decoded.pixels, labels)
    : new FileDataset(meta, keep.map((i) => paths[i] ?? ''), labels);
  return Object.assign(dataset, { root, skipped });
}
