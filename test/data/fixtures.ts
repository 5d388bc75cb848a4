// Test fixtures written with sharp into temp folders (tests never depend on files in the repo).

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import sharp from 'sharp';

export type Rgb = readonly [number, number, number];

/** RGB of the four 8x8-aligned quadrants used by the format tests (flat blocks survive JPEG). */
export const QUADRANTS: readonly Rgb[] = [
  [200, 30, 30], // top-left: red
  [30, 180, 40], // top-right: green
  [20, 40, 210], // bottom-left: blue
  [230, 230, 230], // bottom-right: near white
];

/** [h, w, 3] uint8 image of four flat quadrants. */
export function quadrantPixels(width = 16, height = 16): Uint8Array {
  const out = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const q = (y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1);
      const c = QUADRANTS[q] ?? [0, 0, 0];
      out.set(c, (y * width + x) * 3);
    }
  }
  return out;
}

export function raw(data: Uint8Array, width: number, height: number, channels: 1 | 2 | 3 | 4): ReturnType<typeof sharp> {
  return sharp(data, { raw: { width, height, channels } });
}

/** A seeded pseudo-random uint8 image (exact round trips through lossless formats). */
export function noisePixels(width: number, height: number, channels: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) & 0xff;
  }
  return out;
}

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `supcon-data-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeFileDeep(path: string, data: Uint8Array | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, data);
}

/** A flat-colour PNG (lossless): value c everywhere. */
export async function flatPng(width: number, height: number, rgb: Rgb): Promise<Uint8Array> {
  const px = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) px.set(rgb, i * 3);
  return raw(px, width, height, 3).png().toBuffer();
}

export async function flatJpeg(width: number, height: number, rgb: Rgb): Promise<Uint8Array> {
  const px = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) px.set(rgb, i * 3);
  return raw(px, width, height, 3).jpeg({ quality: 95 }).toBuffer();
}
