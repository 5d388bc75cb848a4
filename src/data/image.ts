// The in-memory image every part of src/data passes around: Float32 HWC in [0, 1].
// Datasets store Uint8 HWC (4x smaller) and convert on access with `imageFromU8`.

export interface Image {
  width: number;
  height: number;
  channels: 1 | 3;
  /** [height, width, channels], row-major, values in [0, 1]. */
  data: Float32Array;
}

export type Channels = 1 | 3;

/** ITU-R BT.601 luma weights, the ones torchvision's rgb_to_grayscale and PIL's "L" mode use. */
export const LUMA_R = 0.299;
export const LUMA_G = 0.587;
export const LUMA_B = 0.114;

export function createImage(width: number, height: number, channels: Channels): Image {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}

export function cloneImage(img: Image): Image {
  return { width: img.width, height: img.height, channels: img.channels, data: img.data.slice() };
}

/** Same shape as `img`, new data. */
export function withData(img: Image, data: Float32Array): Image {
  return { width: img.width, height: img.height, channels: img.channels, data };
}

const INV_255 = 1 / 255;

/** Uint8 HWC -> Image; the one conversion used everywhere, so inline and worker paths agree bit for bit. */
export function imageFromU8(u8: Uint8Array, width: number, height: number, channels: Channels): Image {
  if (u8.length !== width * height * channels) {
    throw new RangeError(`imageFromU8: ${u8.length} bytes for ${width}x${height}x${channels}`);
  }
  const data = new Float32Array(u8.length);
  for (let i = 0; i < u8.length; i++) data[i] = (u8[i] ?? 0) * INV_255;
  return { width, height, channels, data };
}

/** Image -> Uint8 HWC, rounded and clamped. */
export function imageToU8(img: Image): Uint8Array {
  const out = new Uint8Array(img.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = Math.round((img.data[i] ?? 0) * 255);
    out[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
  return out;
}

/** Per-pixel luma, [height * width]. For 1-channel images this is the data itself (a copy). */
export function luma(img: Image): Float32Array {
  const n = img.width * img.height;
  if (img.channels === 1) return img.data.slice();
  const out = new Float32Array(n);
  const d = img.data;
  for (let p = 0, q = 0; p < n; p++, q += 3) {
    out[p] = LUMA_R * (d[q] ?? 0) + LUMA_G * (d[q + 1] ?? 0) + LUMA_B * (d[q + 2] ?? 0);
  }
  return out;
}

export function clamp01(v: number): number {
  return v < 0 ? 0 : v > 1 ? 1 : v;
}
