// The data summary a recipe is chosen from: counted from the folder scan and image headers, without decoding.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { summarizeDataset } from '../../src/data/summary.ts';
import { flatJpeg, tempDir, writeFileDeep } from './fixtures.ts';

test('a class-folder layout: training files after the split, classes, channels and the median shorter side', async () => {
  const { dir, cleanup } = await tempDir('summary-');
  try {
    const sides = [[500, 375], [375, 500], [500, 375], [1024, 768], [400, 375]] as const;
    for (const [c, name] of ['ants', 'bees'].entries()) {
      for (const [i, [w, h]] of sides.entries()) await writeFileDeep(join(dir, name, `${i}.jpg`), await flatJpeg(w, h, [40 * c, 100, 200]));
    }
    await writeFileDeep(join(dir, 'bees', 'notes.txt'), 'not an image');
    const s = await summarizeDataset(dir);
    assert.deepEqual(s, { trainImages: 8, classes: 2, channels: 3, side: 375 }, '4 of 5 files per class train at the 0.8 split; most shorter sides are 375');
    const gray = await sharp({ create: { width: 28, height: 28, channels: 3, background: { r: 9, g: 9, b: 9 } } }).toColourspace('b-w').png().toBuffer();
    for (const split of ['train', 'test']) for (const c of ['a', 'b']) await writeFileDeep(join(dir, 'gray', split, c, '0.png'), gray);
    assert.deepEqual(await summarizeDataset(join(dir, 'gray')), { trainImages: 2, classes: 2, channels: 1, side: 28 });
  } finally {
    await cleanup();
  }
});

test('fashion-mnist: the packaged shape, without loading it', async () => {
  assert.deepEqual(await summarizeDataset('fashion-mnist'), { trainImages: 60_000, classes: 10, channels: 1, side: 28 });
});
