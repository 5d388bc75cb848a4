// Deterministic colour adjustments on Float32 HWC images in [0, 1], following torchvision's
// functional definitions (blend = factor * img + (1 - factor) * other, clamped). On 1-channel images
// brightness and contrast act on the luminance; saturation and hue are no-ops.

import { clamp01, luma, withData, type Image } from '../image.ts';

/** img * factor, clamped. */
export function adjustBrightness(img: Image, factor: number): Image {
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = clamp01((src[i] ?? 0) * factor);
  return withData(img, out);
}

/** Blend with the mean luma (a scalar over the whole image). */
export function adjustContrast(img: Image, factor: number): Image {
  const y = luma(img);
  let sum = 0;
  for (let i = 0; i < y.length; i++) sum += y[i] ?? 0;
  const mean = y.length > 0 ? sum / y.length : 0;
  const offset = (1 - factor) * mean;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) out[i] = clamp01(factor * (src[i] ?? 0) + offset);
  return withData(img, out);
}

/** Blend with the per-pixel luma (factor 0 = grayscale, 1 = unchanged). */
export function adjustSaturation(img: Image, factor: number): Image {
  if (img.channels === 1) return img;
  const y = luma(img);
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let p = 0, q = 0; p < y.length; p++, q += 3) {
    const g = (1 - factor) * (y[p] ?? 0);
    out[q] = clamp01(factor * (src[q] ?? 0) + g);
    out[q + 1] = clamp01(factor * (src[q + 1] ?? 0) + g);
    out[q + 2] = clamp01(factor * (src[q + 2] ?? 0) + g);
  }
  return withData(img, out);
}

/** Rotates hue by `shift` turns (in [-0.5, 0.5]) through HSV, as torchvision's adjust_hue. */
export function adjustHue(img: Image, shift: number): Image {
  if (img.channels === 1 || shift === 0) return img;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let q = 0; q < src.length; q += 3) {
    const r = src[q] ?? 0;
    const g = src[q + 1] ?? 0;
    const b = src[q + 2] ?? 0;
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const delta = max - min;
    if (delta === 0) {
      out[q] = r;
      out[q + 1] = g;
      out[q + 2] = b;
      continue;
    }
    let h: number;
    if (max === r) h = ((g - b) / delta) / 6;
    else if (max === g) h = ((b - r) / delta + 2) / 6;
    else h = ((r - g) / delta + 4) / 6;
    h = (((h + shift) % 1) + 1) % 1;
    const s = delta / max;
    const v = max;
    // HSV -> RGB
    const h6 = h * 6;
    const sector = Math.floor(h6) % 6;
    const f = h6 - Math.floor(h6);
    const p = v * (1 - s);
    const t1 = v * (1 - s * f);
    const t2 = v * (1 - s * (1 - f));
    let r2: number, g2: number, b2: number;
    switch (sector) {
      case 0: r2 = v; g2 = t2; b2 = p; break;
      case 1: r2 = t1; g2 = v; b2 = p; break;
      case 2: r2 = p; g2 = v; b2 = t2; break;
      case 3: r2 = p; g2 = t1; b2 = v; break;
      case 4: r2 = t2; g2 = p; b2 = v; break;
      default: r2 = v; g2 = p; b2 = t1;
    }
    out[q] = clamp01(r2);
    out[q + 1] = clamp01(g2);
    out[q + 2] = clamp01(b2);
  }
  return withData(img, out);
}

/** Luma replicated into every channel; the channel count is kept (a 3-channel image stays 3). */
export function toGrayscale(img: Image): Image {
  if (img.channels === 1) return img;
  const y = luma(img);
  const out = new Float32Array(img.data.length);
  for (let p = 0, q = 0; p < y.length; p++, q += 3) {
    const v = y[p] ?? 0;
    out[q] = v;
    out[q + 1] = v;
    out[q + 2] = v;
  }
  return withData(img, out);
}
