import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PixelDataset } from '../../src/data/dataset.ts';
import { createImage } from '../../src/data/image.ts';
import { computeMeanStd, toNchw } from '../../src/data/normalize.ts';

test('computeMeanStd per channel matches a direct computation', async () => {
  // 4 images of 2x2x3 with channel values c * 50 + image * 10 + pixel
  const n = 4;
  const pixels = new Uint8Array(n * 12);
  for (let i = 0; i < n; i++) for (let p = 0; p < 4; p++) for (let c = 0; c < 3; c++) pixels[i * 12 + p * 3 + c] = c * 50 + i * 10 + p;
  const ds = new PixelDataset({ name: 't', classes: ['a', 'b'], channels: 3, size: 2 }, pixels, new Int32Array([0, 1, 0, 1]));
  const { mean, std } = await computeMeanStd(ds, { maxSamples: 100 });
  for (let c = 0; c < 3; c++) {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) for (let p = 0; p < 4; p++) vals.push((c * 50 + i * 10 + p) / 255);
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    const s = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
    assert.ok(Math.abs((mean[c] ?? 0) - m) < 1e-6);
    assert.ok(Math.abs((std[c] ?? 0) - s) < 1e-6);
  }
  const sub = await computeMeanStd(ds, { maxSamples: 2 }); // images 0 and 2
  assert.ok(Math.abs((sub.mean[0] ?? 0) - (0 + 20 + 1.5 * 2) / 2 / 255) < 1e-6);
});

test('toNchw transposes HWC to NCHW and normalises', () => {
  const a = createImage(2, 1, 3);
  a.data.set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]); // pixel0 rgb, pixel1 rgb
  const b = createImage(2, 1, 3);
  b.data.fill(0.5);
  const out = toNchw([a, b], [0.5, 0.5, 0.5], [0.5, 0.25, 1]);
  const expected = [
    (0.1 - 0.5) / 0.5, (0.4 - 0.5) / 0.5, (0.2 - 0.5) / 0.25, (0.5 - 0.5) / 0.25, 0.3 - 0.5, 0.6 - 0.5,
    0, 0, 0, 0, 0, 0,
  ];
  assert.equal(out.length, 12);
  expected.forEach((v, i) => assert.ok(Math.abs((out[i] ?? 0) - v) < 1e-6, `[${i}] ${out[i]} vs ${v}`));
  assert.throws(() => toNchw([a, createImage(1, 1, 3)], [0, 0, 0], [1, 1, 1]), /image 1 is 1x1x3/);
  assert.throws(() => toNchw([a], [0], [1]), /1\/1 entries for 3 channels/);
});

test('a channel constant over the data set gets std 1 with a warning, never NaN inputs', async () => {
  // Red varies, green is always 0 and blue always 200: before the guard their std was 0 and (x - m) / 0 NaN.
  const pixels = new Uint8Array(3 * 4 * 3);
  for (let i = 0; i < 12; i++) pixels.set([i * 20, 0, 200], i * 3);
  const ds = new PixelDataset({ name: 'flat', classes: ['a'], channels: 3, size: 2 }, pixels, new Int32Array(3));
  const warnings: string[] = [];
  const { mean, std } = await computeMeanStd(ds, { onWarning: (m) => warnings.push(m) });
  assert.ok((std[0] ?? 0) > 0.1 && (std[0] ?? 0) !== 1);
  assert.deepEqual(std.slice(1), [1, 1]);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0]!, /flat: channel 1 is constant \(0\.0000\) over 3 sampled images/);
  const img = createImage(2, 2, 3);
  img.data.fill(200 / 255);
  const out = toNchw([img], mean, std);
  assert.ok(out.every(Number.isFinite), 'normalised inputs are finite');
  assert.ok(Math.abs(out[8]!) < 1e-6, 'the constant channel maps to 0');
});
