// Every input format decodes to the pixels that were written (exactly for lossless formats, within
// a stated tolerance for JPEG and the CMYK ICC round trip).

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { decodeImage, decodeImageU8, probeChannels } from '../../src/data/decode.ts';
import { DecodeError } from '../../src/data/errors.ts';
import { noisePixels, QUADRANTS, quadrantPixels, raw, tempDir, writeFileDeep } from './fixtures.ts';

let dir = '';
let cleanup = async (): Promise<void> => {};
before(async () => ({ dir, cleanup } = await tempDir('decode')));
after(() => cleanup());

/** Max |decoded - expected| over an 8-bit HWC image. */
function maxDiff(a: Uint8Array, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return m;
}

/** RGB at (x, y) of a 3-channel decode. */
function at(img: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const o = (y * img.width + x) * 3;
  return [img.data[o] ?? -1, img.data[o + 1] ?? -1, img.data[o + 2] ?? -1];
}

test('baseline and progressive JPEG decode to the written quadrants (JPEG tolerance 4/255)', async () => {
  const px = quadrantPixels(16, 16);
  for (const progressive of [false, true]) {
    const bytes = await raw(px, 16, 16, 3).jpeg({ quality: 100, progressive, chromaSubsampling: '4:4:4' }).toBuffer();
    assert.equal((await sharp(bytes).metadata()).isProgressive, progressive);
    const path = join(dir, progressive ? 'p.jpg' : 'b.jpg');
    await writeFileDeep(path, bytes);
    const img = await decodeImageU8(path, { channels: 3 });
    assert.deepEqual([img.width, img.height, img.channels], [16, 16, 3]);
    assert.ok(maxDiff(img.data, px) <= 4, `progressive=${progressive}: diff ${maxDiff(img.data, px)}`);
  }
});

test('decodeImage returns Float32 HWC in [0, 1] = bytes / 255', async () => {
  const px = noisePixels(5, 4, 3, 7);
  const img = await decodeImage(await raw(px, 5, 4, 3).png().toBuffer(), { channels: 3 });
  assert.ok(img.data instanceof Float32Array);
  assert.equal(img.data.length, 60);
  for (let i = 0; i < px.length; i++) assert.equal(img.data[i], Math.fround((px[i] ?? 0) / 255));
});

test('PNG with alpha is composited on black', async () => {
  // RGBA: opaque red, transparent green, half-transparent white, opaque blue
  const rgba = new Uint8Array([255, 0, 0, 255, 0, 255, 0, 0, 255, 255, 255, 128, 0, 0, 255, 255]);
  const img = await decodeImageU8(await raw(rgba, 2, 2, 4).png().toBuffer(), { channels: 3 });
  assert.equal(img.channels, 3);
  assert.deepEqual(at(img, 0, 0), [255, 0, 0]);
  assert.deepEqual(at(img, 1, 0), [0, 0, 0]);
  for (const v of at(img, 0, 1)) assert.ok(Math.abs(v - 128) <= 1, `half alpha -> ${v}`);
  assert.deepEqual(at(img, 1, 1), [0, 0, 255]);
});

test('16-bit PNG is scaled to 8 bits exactly (v * 257 -> v)', async () => {
  const px = noisePixels(6, 5, 3, 3);
  const wide = Uint16Array.from(px, (v) => v * 257);
  const bytes = await sharp(wide, { raw: { width: 6, height: 5, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
  assert.equal((await sharp(bytes).metadata()).depth, 'ushort');
  const img = await decodeImageU8(bytes, { channels: 3 });
  assert.equal(maxDiff(img.data, px), 0);
});

test('grayscale PNG: exact with channels 1, replicated with channels 3', async () => {
  const px = noisePixels(7, 3, 1, 11);
  const bytes = await raw(px, 7, 3, 1).toColourspace('b-w').png().toBuffer();
  assert.equal((await sharp(bytes).metadata()).channels, 1);
  assert.equal(await probeChannels(bytes), 1);
  const g = await decodeImageU8(bytes, { channels: 1 });
  assert.equal(g.channels, 1);
  assert.equal(maxDiff(g.data, px), 0);
  const c = await decodeImageU8(bytes, { channels: 3 });
  assert.equal(c.channels, 3);
  assert.equal(maxDiff(c.data, Array.from(px).flatMap((v) => [v, v, v])), 0);
});

test('colour image decoded with channels 1 gives BT.601 luma', async () => {
  const img = await decodeImageU8(await raw(quadrantPixels(16, 16), 16, 16, 3).png().toBuffer(), { channels: 1 });
  QUADRANTS.forEach(([r, g, b], q) => {
    const v = img.data[(q < 2 ? 0 : 8 * 16) + (q % 2) * 8] ?? -1;
    assert.equal(v, Math.round(0.299 * r + 0.587 * g + 0.114 * b), `quadrant ${q}`);
  });
});

test('lossless WebP, GIF and TIFF decode exactly', async () => {
  const px = quadrantPixels(16, 16);
  const encoded: [string, Uint8Array][] = [
    ['webp', await raw(px, 16, 16, 3).webp({ lossless: true }).toBuffer()],
    ['gif', await raw(px, 16, 16, 3).gif().toBuffer()], // 4 colours fit the palette exactly
    ['tiff', await raw(px, 16, 16, 3).tiff({ compression: 'lzw' }).toBuffer()],
  ];
  for (const [fmt, bytes] of encoded) {
    const path = join(dir, `x.${fmt}`);
    await writeFileDeep(path, bytes);
    const img = await decodeImageU8(path, { channels: 3 });
    assert.equal(maxDiff(img.data, px), 0, fmt);
  }
});

test('animated GIF: the first frame', async () => {
  const frame0 = quadrantPixels(8, 8);
  const frame1 = new Uint8Array(8 * 8 * 3).fill(90);
  const stacked = new Uint8Array([...frame0, ...frame1]);
  const bytes = await sharp(stacked, { raw: { width: 8, height: 16, channels: 3, pageHeight: 8 } }).gif().toBuffer();
  assert.equal((await sharp(bytes).metadata()).pages, 2);
  const img = await decodeImageU8(bytes, { channels: 3 });
  assert.deepEqual([img.width, img.height], [8, 8]);
  assert.equal(maxDiff(img.data, frame0), 0);
});

test('CMYK JPEG is converted to sRGB (in-gamut colours within 20/255, hues preserved)', async () => {
  // Saturated sRGB primaries are outside the CMYK gamut (blue 210 comes back as 137), so the round
  // trip is checked on muted colours that CMYK can hold.
  const px = new Uint8Array(16 * 16 * 3);
  const muted = [[190, 110, 90], [100, 150, 105], [95, 110, 160], [128, 128, 128]];
  for (let y = 0; y < 16; y++) for (let x = 0; x < 16; x++) px.set(muted[(y < 8 ? 0 : 2) + (x < 8 ? 0 : 1)] ?? [], (y * 16 + x) * 3);
  const bytes = await raw(px, 16, 16, 3).toColourspace('cmyk').jpeg({ quality: 100 }).toBuffer();
  assert.equal((await sharp(bytes).metadata()).space, 'cmyk');
  const img = await decodeImageU8(bytes, { channels: 3 });
  assert.equal(img.channels, 3);
  assert.ok(maxDiff(img.data, px) <= 20, `diff ${maxDiff(img.data, px)}`);
  const [red, green, blue] = [at(img, 2, 2), at(img, 12, 2), at(img, 2, 12)];
  assert.ok((red[0] ?? 0) > (red[1] ?? 0) + 50 && (red[0] ?? 0) > (red[2] ?? 0) + 50, `red ${red}`);
  assert.ok((green[1] ?? 0) > (green[0] ?? 0) + 30 && (green[1] ?? 0) > (green[2] ?? 0) + 30, `green ${green}`);
  assert.ok((blue[2] ?? 0) > (blue[0] ?? 0) + 30 && (blue[2] ?? 0) > (blue[1] ?? 0) + 30, `blue ${blue}`);
});

test('EXIF orientation is applied (orientation 6 = rotate 90 degrees clockwise)', async () => {
  // 16 wide x 8 high: left half red, right half blue. Rotated clockwise: 8 wide x 16 high,
  // red on top, blue at the bottom.
  const px = new Uint8Array(16 * 8 * 3);
  for (let y = 0; y < 8; y++) for (let x = 0; x < 16; x++) px.set(x < 8 ? [220, 20, 20] : [20, 20, 220], (y * 16 + x) * 3);
  const bytes = await raw(px, 16, 8, 3).jpeg({ quality: 100 }).withMetadata({ orientation: 6 }).toBuffer();
  assert.equal((await sharp(bytes).metadata()).orientation, 6);
  const img = await decodeImageU8(bytes, { channels: 3 });
  assert.deepEqual([img.width, img.height], [8, 16]);
  assert.ok((at(img, 4, 2)[0] ?? 0) > 180, `top ${at(img, 4, 2)}`);
  assert.ok((at(img, 4, 13)[2] ?? 0) > 180, `bottom ${at(img, 4, 13)}`);
});

test('size: shorter side resized, centre crop of the longer side', async () => {
  // 48 x 16: three 16-wide vertical bands; the centre crop keeps the middle band only.
  const px = new Uint8Array(48 * 16 * 3);
  const bands = [[250, 0, 0], [0, 250, 0], [0, 0, 250]];
  for (let y = 0; y < 16; y++) for (let x = 0; x < 48; x++) px.set(bands[Math.floor(x / 16)] ?? [], (y * 48 + x) * 3);
  const img = await decodeImageU8(await raw(px, 48, 16, 3).png().toBuffer(), { channels: 3, size: 8 });
  assert.deepEqual([img.width, img.height], [8, 8]);
  // lanczos3 rounding may move a flat 250 by one level
  for (const [x, y] of [[2, 2], [4, 4], [5, 6]] as const) assert.ok(maxDiff(new Uint8Array(at(img, x, y)), [0, 250, 0]) <= 2, `${at(img, x, y)}`);
});

test('AVIF decodes (lossy: tolerance 12/255)', async () => {
  const px = quadrantPixels(16, 16);
  const bytes = await raw(px, 16, 16, 3).avif({ quality: 100, chromaSubsampling: '4:4:4' }).toBuffer();
  const img = await decodeImageU8(bytes, { channels: 3 });
  assert.ok(maxDiff(img.data, px) <= 12, `diff ${maxDiff(img.data, px)}`);
});

test('undecodable input throws DecodeError with path and reason', async () => {
  const cases: [string, Uint8Array | string][] = [
    ['text.png', 'this is not an image\n'],
    ['truncated.jpg', (await raw(noisePixels(64, 64, 3, 5), 64, 64, 3).jpeg().toBuffer()).subarray(0, 900)],
    ['empty.png', new Uint8Array(0)],
  ];
  for (const [name, content] of cases) {
    const path = join(dir, name);
    await writeFileDeep(path, content);
    await assert.rejects(decodeImage(path, { channels: 3 }), (err: unknown) => {
      assert.ok(err instanceof DecodeError, `${name}: ${String(err)}`);
      assert.equal(err.path, path);
      assert.ok(err.reason.length > 0);
      assert.match(err.message, new RegExp(name.replace('.', '\\.')));
      return true;
    });
  }
  await assert.rejects(decodeImage(new Uint8Array([1, 2, 3]), { channels: 1 }), DecodeError);
  await assert.rejects(decodeImage(join(dir, 'missing.png'), { channels: 1 }), DecodeError);
});
