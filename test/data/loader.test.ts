// DataLoader: identical batches inline and with workers, resumable mid-epoch, overlapping a main
// thread that blocks, and failing loudly (not hanging) when a worker cannot build a batch.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileDataset, PixelDataset, type Dataset } from '../../src/data/dataset.ts';
import { DataLoader, measureLoader, type Batch, type DataLoaderOptions } from '../../src/data/loader.ts';
import { join } from 'node:path';
import { loadImageFolder } from '../../src/data/image_folder.ts';
import { noisePixels, raw, tempDir, writeFileDeep } from './fixtures.ts';

const SIZE = 12;

function makeDataset(n = 48, classes = 4): PixelDataset {
  const labels = Int32Array.from({ length: n }, (_, i) => i % classes);
  return new PixelDataset(
    { name: 'noise', classes: Array.from({ length: classes }, (_, c) => `c${c}`), channels: 3, size: SIZE },
    noisePixels(n * SIZE * SIZE, 3, 1, 17),
    labels,
  );
}

const base: DataLoaderOptions = {
  batchSize: 8, seed: 5, views: ['simaugment', 'simaugment'], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], minPerClass: 2,
};

async function collect(loader: DataLoader, epoch: number, startBatch = 0): Promise<Batch[]> {
  const out: Batch[] = [];
  for await (const b of loader.epoch(epoch, { startBatch })) out.push(b);
  return out;
}

function bytesOf(b: Batch): string {
  return [b.index, ...b.views.map((v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')), b.labels.join(','), b.sampleIds.join(',')].join('|');
}

test('workers 0 and 2 yield identical batches; startBatch resumes mid-epoch; epochs differ', async () => {
  const ds = makeDataset();
  const inline = new DataLoader(ds, { ...base, workers: 0 });
  const pooled = new DataLoader(ds, { ...base, workers: 2, prefetch: 3 });
  try {
    const a = await collect(inline, 1);
    const b = await collect(pooled, 1);
    assert.equal(a.length, 6);
    assert.deepEqual(b.map(bytesOf), a.map(bytesOf));
    const resumed = await collect(pooled, 1, 4);
    assert.deepEqual(resumed.map(bytesOf), a.slice(4).map(bytesOf));
    const next = await collect(inline, 2);
    assert.notDeepEqual(next.map(bytesOf), a.map(bytesOf));
    for (const batch of a) {
      assert.equal(batch.views.length, 2);
      for (const v of batch.views) assert.equal(v.length, 8 * 3 * SIZE * SIZE);
      assert.notDeepEqual(batch.views[0], batch.views[1], 'two views are augmented independently');
      assert.deepEqual([...batch.labels], [...batch.sampleIds].map((i) => BigInt(ds.label(i))));
    }
  } finally {
    await pooled.close();
  }
});

test("'none' view: the normalised NCHW image, in dataset order for evaluation", async () => {
  const ds = makeDataset(10);
  const loader = new DataLoader(ds, { ...base, views: ['none'], shuffle: false, workers: 0, mean: [0.5, 0.25, 0], std: [0.5, 1, 2] });
  const batches = await collect(loader, 0);
  assert.deepEqual(batches.map((b) => b.labels.length), [8, 2], 'the last, short batch is kept when not shuffling');
  assert.deepEqual([...(batches[1]?.sampleIds ?? [])], [8, 9]);
  const img = ds.imageSync(9);
  const view = batches[1]?.views[0] ?? new Float32Array(0);
  const plane = SIZE * SIZE;
  for (const [c, m, s] of [[0, 0.5, 0.5], [1, 0.25, 1], [2, 0, 2]] as const) {
    for (const p of [0, 7, plane - 1]) {
      const expected = ((img.data[p * 3 + c] ?? 0) - m) / s;
      assert.ok(Math.abs((view[plane * 3 + c * plane + p] ?? 0) - expected) < 1e-6);
    }
  }
});

test('a dataset without a shareable handle is sent to workers image by image, same batches', async () => {
  const inner = makeDataset(24);
  const plain: Dataset = {
    name: 'plain', classes: inner.classes, channels: 3, size: SIZE, length: inner.length,
    label: (i) => inner.label(i), image: (i) => inner.image(i),
  };
  const pooled = new DataLoader(plain, { ...base, workers: 1 });
  try {
    const expected = await collect(new DataLoader(inner, { ...base, workers: 0 }), 0);
    assert.deepEqual((await collect(pooled, 0)).map(bytesOf), expected.map(bytesOf));
  } finally {
    await pooled.close();
  }
});

test('decode-on-access datasets: workers decode the files themselves (sharp in worker threads), same batches', async () => {
  const { dir, cleanup } = await tempDir('loader');
  let loader: DataLoader | undefined;
  try {
    for (let k = 0; k < 8; k++) await writeFileDeep(join(dir, `c${k % 2}`, `${k}.png`), await raw(noisePixels(20, 14, 3, k + 1), 20, 14, 3).png().toBuffer());
    const lazy = await loadImageFolder(dir, { size: SIZE, seed: 0, split: 'all', cacheDir: false, memoryLimitBytes: 1 });
    assert.ok(lazy instanceof FileDataset);
    const opts = { ...base, batchSize: 4 };
    const expected = await collect(new DataLoader(lazy, { ...opts, workers: 0 }), 3);
    loader = new DataLoader(lazy, { ...opts, workers: 1 });
    assert.deepEqual((await collect(loader, 3)).map(bytesOf), expected.map(bytesOf));
  } finally {
    await loader?.close();
    await cleanup();
  }
});

test('workers keep building while the main thread is blocked (prefetch overlaps the training step)', async () => {
  const loader = new DataLoader(makeDataset(96), { ...base, workers: 2, prefetch: 4 });
  try {
    const waits: number[] = [];
    let first = true;
    let t = performance.now();
    for await (const _batch of loader.epoch(0)) {
      waits.push(performance.now() - t);
      if (first) {
        first = false;
        // A synchronous "training step", like onnxruntime-node's session.run.
        const until = performance.now() + 1500;
        while (performance.now() < until) { /* block */ }
      }
      t = performance.now();
    }
    // The 4 batches after the block were built during it: handing them over takes milliseconds.
    const afterBlock = waits.slice(1, 5);
    assert.ok(Math.max(...afterBlock) < 100, `waits after the block: ${afterBlock.map((w) => w.toFixed(1))} ms`);
    const stats = await measureLoader(loader, 6);
    assert.ok(stats.samplesPerSecond > 0 && stats.samples === 48);
  } finally {
    await loader.close();
  }
});

test('a batch that cannot be built rejects the iteration with the reason, inline and in workers', async () => {
  const broken = new FileDataset({ name: 'broken', classes: ['a', 'b'], channels: 3, size: 8 }, ['/nonexistent/x.png', '/nonexistent/y.png'], new Int32Array([0, 1]));
  for (const workers of [0, 1]) {
    const loader = new DataLoader(broken, { ...base, batchSize: 2, minPerClass: 1, workers });
    try {
      await assert.rejects(collect(loader, 0), (err: unknown) => {
        assert.ok(err instanceof Error);
        assert.match(err.message, /nonexistent\/[xy]\.png/);
        return true;
      });
    } finally {
      await loader.close();
    }
  }
  const closed = new DataLoader(makeDataset(8), { ...base, workers: 1 });
  await closed.close();
  await assert.rejects(collect(closed, 0), /closed/);
  assert.throws(() => new DataLoader(makeDataset(8), { ...base, mean: [0.5] }), /1\/3 entries for 3 channels/);
});
