// Image-folder datasets: layouts, stratified split, bad files reported (not crashing), layout
// errors that name the folder, the decode cache and the decode-on-access mode.

import assert from 'node:assert/strict';
import { readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DatasetError } from '../../src/data/errors.ts';
import { FileDataset, PixelDataset } from '../../src/data/dataset.ts';
import { decodeSide, loadImageFolder, type ImageFolderOptions } from '../../src/data/image_folder.ts';
import { DataLoader } from '../../src/data/loader.ts';
import sharp from 'sharp';
import { openDataset } from '../../src/data/datasets.ts';
import { flatPng, noisePixels, raw, tempDir, writeFileDeep } from './fixtures.ts';

let base = '';
let cleanup = async (): Promise<void> => {};
before(async () => ({ dir: base, cleanup } = await tempDir('folder')));
after(() => cleanup());

const CLASSES = ['cat', 'dog', 'eel'];
/** Colour of file k of class c: R codes the class, G the file. */
const colour = (c: number, k: number): [number, number, number] => [40 * c + 20, 10 * k + 5, 100];

/** root/<class>/<k>.png, `perClass` files each, 8x8 flat colours; returns the root. */
async function makeClassFolders(root: string, perClass: number): Promise<string> {
  for (let c = 0; c < CLASSES.length; c++) {
    for (let k = 0; k < perClass; k++) await writeFileDeep(join(root, CLASSES[c] ?? '', `${k}.png`), await flatPng(8, 8, colour(c, k)));
  }
  return root;
}

const quiet = { onWarning: (): void => {} };
const opts = (extra: Partial<ImageFolderOptions> = {}): ImageFolderOptions => ({ size: 8, seed: 1, cacheDir: false, ...quiet, ...extra });

/** (class, file) decoded back from an image's first pixel. */
async function identify(ds: { image(i: number): Promise<{ data: Float32Array }> }, i: number): Promise<[number, number]> {
  const img = await ds.image(i);
  return [Math.round(((img.data[0] ?? 0) * 255 - 20) / 40), Math.round(((img.data[1] ?? 0) * 255 - 5) / 10)];
}

test('class folders: labels, pixels and a stratified seeded split', async () => {
  const root = await makeClassFolders(join(base, 'split'), 8);
  const all = await loadImageFolder(root, opts({ split: 'all' }));
  assert.deepEqual(all.classes, CLASSES);
  assert.equal(all.length, 24);
  assert.equal(all.channels, 3);
  for (let i = 0; i < all.length; i++) assert.equal((await identify(all, i))[0], all.label(i));

  const train = await loadImageFolder(root, opts({ split: 'train', splitRatio: 0.75 }));
  const test = await loadImageFolder(root, opts({ split: 'test', splitRatio: 0.75 }));
  assert.equal(train.length, 18);
  assert.equal(test.length, 6);
  const ids = async (ds: typeof train): Promise<string[]> => Promise.all(Array.from({ length: ds.length }, async (_, i) => (await identify(ds, i)).join('/')));
  const trainIds = await ids(train);
  const testIds = await ids(test);
  assert.equal(new Set([...trainIds, ...testIds]).size, 24, 'train and test are disjoint and cover everything');
  for (let c = 0; c < 3; c++) assert.equal(testIds.filter((s) => s.startsWith(`${c}/`)).length, 2, 'stratified: 2 test files per class');
  for (let i = 0; i < test.length; i++) assert.equal((await identify(test, i))[0], test.label(i));

  const again = await loadImageFolder(root, opts({ split: 'test', splitRatio: 0.75 }));
  assert.deepEqual(await ids(again), testIds, 'same seed, same split');
  const other = await loadImageFolder(root, opts({ split: 'test', splitRatio: 0.75, seed: 2 }));
  assert.notDeepEqual(await ids(other), testIds, 'another seed, another split');
});

test('train/ and test/ folders are used as given; test classes map to train labels', async () => {
  const root = join(base, 'tt');
  await makeClassFolders(join(root, 'train'), 3);
  await writeFileDeep(join(root, 'test', 'eel', 'x.png'), await flatPng(8, 8, colour(2, 0)));
  await writeFileDeep(join(root, 'test', 'cat', 'y.png'), await flatPng(8, 8, colour(0, 1)));
  const { train, test } = await openDataset(root, { size: 8, cacheDir: false, ...quiet });
  assert.equal(train.length, 9);
  assert.deepEqual(test.classes, CLASSES);
  assert.deepEqual([test.length, test.label(0), test.label(1)], [2, 0, 2]);
});

test('corrupt, truncated, zero-byte and non-image files are skipped and reported with path and reason', async () => {
  const root = await makeClassFolders(join(base, 'bad'), 2);
  const bad = {
    corrupt: join(root, 'cat', 'corrupt.jpg'),
    truncated: join(root, 'dog', 'truncated.jpg'),
    empty: join(root, 'dog', 'empty.png'),
    textAsPng: join(root, 'eel', 'readme.png'),
    notes: join(root, 'eel', 'notes.txt'),
  };
  await writeFile(bad.corrupt, noisePixels(300, 1, 1, 9));
  await writeFile(bad.truncated, (await raw(noisePixels(64, 64, 3, 4), 64, 64, 3).jpeg().toBuffer()).subarray(0, 700));
  await writeFile(bad.empty, new Uint8Array(0));
  await writeFile(bad.textAsPng, 'hello, I am text\n');
  await writeFile(bad.notes, 'notes');
  await writeFile(join(root, 'cat', '.DS_Store'), 'x'); // hidden: ignored silently
  const warnings: string[] = [];
  const ds = await loadImageFolder(root, opts({ split: 'all', onWarning: (m) => warnings.push(m) }));
  assert.equal(ds.length, 6);
  assert.deepEqual(ds.skipped.map((s) => s.path).sort(), Object.values(bad).sort());
  const reason = (p: string): string => ds.skipped.find((s) => s.path === p)?.reason ?? '';
  assert.match(reason(bad.empty), /empty file/);
  assert.match(reason(bad.notes), /not an image file.*\.txt/);
  for (const p of [bad.corrupt, bad.truncated, bad.textAsPng]) assert.ok(reason(p).length > 5, `${p}: '${reason(p)}'`);
  assert.match(reason(bad.truncated), /premature end|truncat/i);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /5 file\(s\) skipped/);
  assert.match(warnings[0] ?? '', /corrupt\.jpg/);
  for (let i = 0; i < ds.length; i++) assert.equal((await identify(ds, i))[0], ds.label(i));
});

test('bad layouts stop with a DatasetError naming the folder', async () => {
  const expectError = async (root: string, pattern: RegExp): Promise<void> => {
    await assert.rejects(loadImageFolder(root, opts()), (err: unknown) => {
      assert.ok(err instanceof DatasetError, String(err));
      assert.match(err.message, pattern);
      return true;
    });
  };
  const missing = join(base, 'nope');
  await expectError(missing, new RegExp(`not found: ${missing}`));

  const empty = await makeClassFolders(join(base, 'emptyclass'), 2);
  await rm(join(empty, 'dog'), { recursive: true });
  await writeFileDeep(join(empty, 'dog', 'notes.txt'), 'no images here');
  await expectError(empty, new RegExp(`${join(empty, 'dog')} holds no image files`));

  const single = join(base, 'single');
  await writeFileDeep(join(single, 'only', 'a.png'), await flatPng(8, 8, [1, 2, 3]));
  await expectError(single, /only one class \(only\).*at least 2/);

  const flat = join(base, 'flat');
  await writeFileDeep(join(flat, 'a.png'), await flatPng(8, 8, [1, 2, 3]));
  await writeFileDeep(join(flat, 'b.png'), await flatPng(8, 8, [1, 2, 3]));
  await expectError(flat, new RegExp(`image files directly in ${flat} \\(.*a\\.png`));

  const mixed = await makeClassFolders(join(base, 'mixed'), 1);
  await writeFileDeep(join(mixed, 'stray.jpg'), await flatPng(8, 8, [1, 2, 3]));
  await expectError(mixed, /directly in .*stray\.jpg/);

  const noClasses = join(base, 'noclasses');
  await writeFileDeep(join(noClasses, 'README'), 'text');
  await expectError(noClasses, new RegExp(`no class folders in ${noClasses}`));

  const trainOnly = join(base, 'trainonly');
  await makeClassFolders(join(trainOnly, 'train'), 1);
  await expectError(trainOnly, /train\/ but no test\//);

  const strayTest = join(base, 'straytest');
  await makeClassFolders(join(strayTest, 'train'), 1);
  await writeFileDeep(join(strayTest, 'test', 'zebra', 'a.png'), await flatPng(8, 8, [1, 2, 3]));
  await assert.rejects(loadImageFolder(strayTest, opts({ split: 'test' })), /zebra has no counterpart/);
});

test('grayscale folders load as 1 channel; channels can be forced', async () => {
  const root = join(base, 'gray');
  for (const c of ['a', 'b']) {
    for (let k = 0; k < 2; k++) await writeFileDeep(join(root, c, `${k}.png`), await raw(new Uint8Array(64).fill(50 + k), 8, 8, 1).toColourspace('b-w').png().toBuffer());
  }
  const ds = await loadImageFolder(root, opts({ split: 'all' }));
  assert.equal(ds.channels, 1);
  assert.equal((await ds.image(1)).data[0], Math.fround(51 / 255));
  const rgb = await loadImageFolder(root, opts({ split: 'all', channels: 3 }));
  assert.equal(rgb.channels, 3);
  assert.equal((await rgb.image(0)).data.length, 8 * 8 * 3);
});

test('decode cache: second load reads it; an edited file misses it', async () => {
  const root = await makeClassFolders(join(base, 'cache'), 2);
  const cacheDir = join(base, 'cache-dir');
  await writeFile(join(root, 'cat', 'broken.png'), 'not a png');
  const first = await loadImageFolder(root, opts({ split: 'all', cacheDir }));
  assert.equal((await readdir(cacheDir)).filter((f) => f.endsWith('.u8')).length, 1);
  const second = await loadImageFolder(root, opts({ split: 'all', cacheDir }));
  assert.ok(first instanceof PixelDataset && second instanceof PixelDataset);
  assert.deepEqual(second.pixels, first.pixels);
  assert.deepEqual(second.skipped, first.skipped, 'decode failures are cached too');
  await writeFileDeep(join(root, 'dog', '0.png'), await flatPng(8, 8, [7, 7, 7]));
  const third = await loadImageFolder(root, opts({ split: 'all', cacheDir }));
  const i = Array.from({ length: third.length }, (_, k) => k).find((k) => third.label(k) === 1) ?? -1;
  assert.equal(Math.round(((await third.image(i)).data[0] ?? 0) * 255), 7);
});

test('over the memory limit, images are decoded on access (same pixels)', async () => {
  const root = await makeClassFolders(join(base, 'lazy'), 2);
  const eager = await loadImageFolder(root, opts({ split: 'all' }));
  const lazy = await loadImageFolder(root, opts({ split: 'all', memoryLimitBytes: 100 }));
  assert.ok(lazy instanceof FileDataset);
  for (let i = 0; i < eager.length; i++) assert.deepEqual((await lazy.image(i)).data, (await eager.image(i)).data);
});

test('photos are stored at size / 0.875 (torchvision Resize before the crop), never above their own resolution', async () => {
  assert.equal(decodeSide(224, [375, 400]), 256);
  assert.equal(decodeSide(32, [375]), 36);
  assert.equal(decodeSide(32, [32, 500]), 32, 'CIFAR-sized files are not up-scaled');
  assert.equal(decodeSide(32, [20]), 32, 'the model side is the floor');
  assert.equal(decodeSide(32, []), 36, 'nothing probed: the torchvision side');

  // 64x48 "photos": a 16-pixel model gets an 18-pixel store, and augmented views are cut from it.
  const root = join(base, 'photos');
  for (const [c, name] of CLASSES.entries()) {
    for (let k = 0; k < 4; k++) await writeFileDeep(join(root, name, `${k}.jpg`), await sharp(noisePixels(64, 48, 3, c * 10 + k), { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toBuffer());
  }
  const opened = await openDataset(root, { size: 16, cacheDir: false, ...quiet });
  assert.deepEqual([opened.inputSize, opened.train.size, opened.test.size], [16, 18, 18]);
  const loader = new DataLoader(opened.train, { batchSize: 2, seed: 0, views: ['simaugment', 'none'], mean: [0, 0, 0], std: [1, 1, 1], size: 16, workers: 0 });
  const batch = (await loader.epoch(0).next()).value;
  assert.ok(batch);
  assert.deepEqual(batch.views.map((v) => v.length), [2 * 3 * 16 * 16, 2 * 3 * 16 * 16]);
  await loader.close();
});
