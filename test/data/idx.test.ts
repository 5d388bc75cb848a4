import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { openDataset } from '../../src/data/datasets.ts';
import { DatasetError } from '../../src/data/errors.ts';
import { encodeIdx, loadIdx, parseIdx } from '../../src/data/idx.ts';
import { noisePixels, tempDir } from './fixtures.ts';

let dir = '';
let cleanup = async (): Promise<void> => {};
before(async () => ({ dir, cleanup } = await tempDir('idx')));
after(() => cleanup());

test('encodeIdx/parseIdx round trip, header bytes as the MNIST spec says', () => {
  const data = noisePixels(4, 3, 2, 1);
  const bytes = encodeIdx([2, 3, 4], data);
  assert.deepEqual([...bytes.subarray(0, 16)], [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4]);
  const back = parseIdx(bytes);
  assert.deepEqual(back.dims, [2, 3, 4]);
  assert.deepEqual(back.data, data);
  assert.deepEqual(parseIdx(gzipSync(bytes)).data, data, 'gzip is detected by magic');
  assert.throws(() => parseIdx(bytes.subarray(0, 20), 'short'), /short: IDX dims \[2, 3, 4\] need 24 bytes/);
  assert.throws(() => parseIdx(new Uint8Array([1, 2, 3, 4])), /bad magic/);
});

test('loadIdx reads train/t10k image and label files (plain and .gz) into datasets', async () => {
  const images = noisePixels(5 * 5, 6, 1, 3); // 6 images of 5x5
  const labels = new Uint8Array([3, 1, 4, 1, 5, 9]);
  await writeFile(join(dir, 'train-images-idx3-ubyte'), encodeIdx([6, 5, 5], images));
  await writeFile(join(dir, 'train-labels-idx1-ubyte'), encodeIdx([6], labels));
  await writeFile(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(encodeIdx([2, 5, 5], images.subarray(0, 50))));
  await writeFile(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([2], labels.subarray(0, 2))));
  const train = await loadIdx(dir, 'train');
  assert.deepEqual([train.length, train.size, train.channels, train.classes.length], [6, 5, 1, 10]);
  assert.deepEqual(Array.from({ length: 6 }, (_, i) => train.label(i)), [3, 1, 4, 1, 5, 9]);
  const img = await train.image(2);
  assert.deepEqual(Array.from(img.data, (v) => Math.round(v * 255)), [...images.subarray(50, 75)]);
  const { train: t2, test } = await openDataset(`idx:${dir}`, { classes: 'abcdefghij'.split('') });
  assert.equal(t2.classes[9], 'j');
  assert.deepEqual([test.length, test.label(1)], [2, 1]);
  const big = await loadIdx(dir, 'train', { size: 10 });
  assert.deepEqual([big.size, (await big.image(0)).data.length], [10, 100]);
});

test('missing or mismatched IDX files give DatasetErrors', async () => {
  await assert.rejects(loadIdx(join(dir, 'none'), 'train'), DatasetError);
  const bad = join(dir, 'bad');
  await mkdir(bad);
  await writeFile(join(bad, 'train-images-idx3-ubyte'), encodeIdx([2, 2, 2], new Uint8Array(8)));
  await writeFile(join(bad, 'train-labels-idx1-ubyte'), encodeIdx([3], new Uint8Array(3)));
  await assert.rejects(loadIdx(bad, 'train'), /expected \[2\] labels, got \[3\]/);
  await assert.rejects(loadIdx(bad, 'test'), /no t10k-images-idx3-ubyte/);
});
