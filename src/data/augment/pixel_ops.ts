// Per-pixel and histogram operations of AutoAugment / RandAugment, after torchvision's functional
// versions. Values are Float32 in [0, 1]; ops defined on uint8 levels (posterize, equalize) quantise
// to 256 levels first. Every op works per channel, so 1-channel images are handled unchanged.

import { clamp01, withData, type Image } from '../image.ts';

function toLevel(v: number): number {
  const q = Math.round(v * 255);
  return q < 0 ? 0 : q > 255 ? 255 : q;
}

export function invert(img: Image): Image {
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = 1 - (src[i] ?? 0);
  return withData(img, out);
}

/** Inverts values at or above `threshold` (in [0, 1]). */
export function solarize(img: Image, threshold: number): Image {
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i] ?? 0;
    out[i] = v >= threshold ? 1 - v : v;
  }
  return withData(img, out);
}

/** Keeps the top `bits` bits of each 8-bit level. */
export function posterize(img: Image, bits: number): Image {
  const mask = (0xff << (8 - Math.max(0, Math.min(8, bits)))) & 0xff;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = (toLevel(src[i] ?? 0) & mask) / 255;
  return withData(img, out);
}

/** Stretches each channel to span [0, 1]; a constant channel is left alone. */
export function autoContrast(img: Image): Image {
  const c = img.channels;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let ch = 0; ch < c; ch++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = ch; i < src.length; i += c) {
      const v = src[i] ?? 0;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const scale = hi > lo ? 1 / (hi - lo) : 1;
    const shift = hi > lo ? lo : 0;
    for (let i = ch; i < src.length; i += c) out[i] = clamp01(((src[i] ?? 0) - shift) * scale);
  }
  return withData(img, out);
}

/** Histogram equalisation per channel, torchvision's / PIL's lookup-table algorithm on 256 levels. */
export function equalize(img: Image): Image {
  const c = img.channels;
  const src = img.data;
  const out = new Float32Array(src.length);
  const hist = new Int32Array(256);
  const lut = new Float32Array(256);
  for (let ch = 0; ch < c; ch++) {
    hist.fill(0);
    for (let i = ch; i < src.length; i += c) {
      const l = toLevel(src[i] ?? 0);
      hist[l] = (hist[l] ?? 0) + 1;
    }
    let total = 0;
    let last = 0;
    for (let l = 0; l < 256; l++) {
      const n = hist[l] ?? 0;
      total += n;
      if (n > 0) last = n;
    }
    const step = Math.floor((total - last) / 255);
    if (step === 0) {
      for (let i = ch; i < src.length; i += c) out[i] = src[i] ?? 0;
      continue;
    }
    // lut[l] = (cumulative count below l + step / 2) / step, clamped to 255.
    let cum = 0;
    for (let l = 0; l < 256; l++) {
      lut[l] = Math.min(255, Math.floor((cum + Math.floor(step / 2)) / step)) / 255;
      cum += hist[l] ?? 0;
    }
    for (let i = ch; i < src.length; i += c) out[i] = lut[toLevel(src[i] ?? 0)] ?? 0;
  }
  return withData(img, out);
}

/**
 * Blend with a 3x3 smoothed copy (kernel [[1,1,1],[1,5,1],[1,1,1]] / 13, border pixels kept):
 * factor 0 = smoothed, 1 = unchanged, > 1 sharpened.
 */
export function adjustSharpness(img: Image, factor: number): Image {
  const { width: w, height: h, channels: c } = img;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const o = (y * w + x) * c + ch;
        const v = src[o] ?? 0;
        if (x === 0 || y === 0 || x === w - 1 || y === h - 1) {
          out[o] = v;
          continue;
        }
        let sum = 4 * v;
        for (let dy = -1; dy <= 1; dy++) {
          for (let dx = -1; dx <= 1; dx++) sum += src[((y + dy) * w + (x + dx)) * c + ch] ?? 0;
        }
        out[o] = clamp01(factor * v + (1 - factor) * (sum / 13));
      }
    }
  }
  return withData(img, out);
}
