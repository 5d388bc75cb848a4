// Data-pipeline throughput (not a test): Fashion-MNIST and, when unpacked, CIFAR-10 JPEG folders.
//   node --import ./scripts/register-ts.mjs bench/loader.ts [cifarRoot] [batches]
// cifarRoot: CIFAR-10 as JPEG files in {train,test}/<class>/, unpacked outside the repository.

import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '../src/data/dataset.ts';
import { loadFashionMnist } from '../src/data/fashion_mnist.ts';
import { loadImageFolder } from '../src/data/image_folder.ts';
import { DataLoader, measureLoader } from '../src/data/loader.ts';
import { computeMeanStd } from '../src/data/normalize.ts';

const cifarRoot = process.argv[2] ?? '/tmp/cifar10-jpg';
const batches = Number(process.argv[3] ?? 60);
const rows: string[][] = [['dataset', 'views', 'workers', 'samples/s', 'views/s', 'first batch s']];

async function bench(label: string, ds: Dataset): Promise<void> {
  const { mean, std } = await computeMeanStd(ds, { maxSamples: 5000 });
  for (const workers of [0, 1, 2]) {
    const loader = new DataLoader(ds, { batchSize: 256, seed: 0, views: ['simaugment', 'simaugment'], mean, std, minPerClass: 2, workers, prefetch: 4 });
    const r = await measureLoader(loader, batches);
    await loader.close();
    rows.push([label, 'simaugment x2', String(workers), r.samplesPerSecond.toFixed(0), r.viewsPerSecond.toFixed(0), r.firstBatchSeconds.toFixed(2)]);
  }
}

const seconds = (t0: number): string => ((performance.now() - t0) / 1000).toFixed(2);
let t0 = performance.now();
const fm = await loadFashionMnist('train');
console.log(`fashion-mnist train: ${fm.length} images loaded in ${seconds(t0)} s (binary cache after the first run)`);
await bench('fashion-mnist 28x28x1', fm);

if (existsSync(cifarRoot)) {
  const cacheDir = join(tmpdir(), 'supcon-bench-cache');
  await rm(cacheDir, { recursive: true, force: true });
  t0 = performance.now();
  const cold = await loadImageFolder(cifarRoot, { size: 32, seed: 0, split: 'train', cacheDir });
  console.log(`cifar-10 train: ${cold.length} JPEGs decoded in ${seconds(t0)} s (cold, ${cold.skipped.length} skipped)`);
  t0 = performance.now();
  const warm = await loadImageFolder(cifarRoot, { size: 32, seed: 0, split: 'train', cacheDir });
  console.log(`cifar-10 train: ${warm.length} images loaded in ${seconds(t0)} s (decode cache)`);
  await bench('cifar-10 jpg 32x32x3', warm);
} else {
  console.log(`(no CIFAR-10 folder at ${cifarRoot}; skipped)`);
}

const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c] ?? 0)).join('  '));
