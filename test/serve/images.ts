// Generated image fixtures (sharp writes them; only tests and src/data touch sharp).

import sharp from 'sharp';

export type Rgb = readonly [number, number, number];

/** A solid-colour image encoded as PNG, JPEG or WebP. */
export async function solidImage(rgb: Rgb, width: number, height: number, format: 'png' | 'jpeg' | 'webp' = 'png'): Promise<Uint8Array<ArrayBuffer>> {
  const img = sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  const buf = await (format === 'png' ? img.png() : format === 'jpeg' ? img.jpeg({ quality: 95 }) : img.webp({ lossless: true })).toBuffer();
  return new Uint8Array(buf);
}

/** A deterministic noisy image (so that models with random weights give distinct answers). */
export async function noiseImage(seed: number, width: number, height: number): Promise<Uint8Array<ArrayBuffer>> {
  const data = Buffer.alloc(width * height * 3);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < data.length; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    data[i] = s & 255;
  }
  return new Uint8Array(await sharp(data, { raw: { width, height, channels: 3 } }).png().toBuffer());
}

/** A large solid PNG, quick to make (zlib level 1) and slow to decode: work that keeps a worker busy. */
export async function largeImage(rgb: Rgb, side: number): Promise<Uint8Array<ArrayBuffer>> {
  const img = sharp({ create: { width: side, height: side, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } });
  return new Uint8Array(await img.png({ compressionLevel: 1 }).toBuffer());
}
