// Deterministic colour adjustments on Float32 HWC images in [0, 1], following torchvision's
// functional definitions (blend = factor * img + (1 - factor) * other, clamped). On 1-channel images
// brightness and contrast act on the luminance; saturation and hue are no-ops.
//
// Each adjustment has an in-place form on raw HWC data (used by colorJitter, which applies up to
// four of them to one working copy) and a pure form that copies first.

import { clamp01, LUMA_B, LUMA_G, LUMA_R, withData, type Channels, type Image } from '../image.ts';

/** data *= factor, clamped. */
export function brightnessInPlace(data: Float32Array, factor: number): void {
  for (let i = 0; i < data.length; i++) data[i] = clamp01((data[i] ?? 0) * factor);
}

/** Blend with the mean luma (a scalar over the whole image). */
export function contrastInPlace(data: Float32Array, channels: Channels, factor: number): void {
  let sum = 0;
  if (channels === 1) {
    for (let i = 0; i < data.length; i++) sum += data[i] ?? 0;
  } else {
    for (let q = 0; q < data.length; q += 3) sum += LUMA_R * (data[q] ?? 0) + LUMA_G * (data[q + 1] ?? 0) + LUMA_B * (data[q + 2] ?? 0);
  }
  const pixels = data.length / channels;
  const offset = (1 - factor) * (pixels > 0 ? sum / pixels : 0);
  for (let i = 0; i < data.length; i++) data[i] = clamp01(factor * (data[i] ?? 0) + offset);
}

/** Blend with the per-pixel luma (factor 0 = grayscale, 1 = unchanged). RGB only. */
export function saturationInPlace(data: Float32Array, factor: number): void {
  for (let q = 0; q < data.length; q += 3) {
    const r = data[q] ?? 0;
    const g = data[q + 1] ?? 0;
    const b = data[q + 2] ?? 0;
    const y = (1 - factor) * (LUMA_R * r + LUMA_G * g + LUMA_B * b);
    data[q] = clamp01(factor * r + y);
    data[q + 1] = clamp01(factor * g + y);
    data[q + 2] = clamp01(factor * b + y);
  }
}

/** Rotates hue by `shift` turns (in [-0.5, 0.5]) through HSV, as torchvision's adjust_hue. RGB only. */
export function hueInPlace(data: Float32Array, shift: number): void {
  for (let q = 0; q < data.length; q += 3) {
    const r = data[q] ?? 0;
    const g = data[q + 1] ?? 0;
    const b = data[q + 2] ?? 0;
    const v = Math.max(r, g, b);
    const delta = v - Math.min(r, g, b);
    if (delta === 0) continue; // gray: hue undefined, unchanged
    let h = v === r ? (g - b) / delta : v === g ? (b - r) / delta + 2 : (r - g) / delta + 4;
    h = h / 6 + shift;
    h -= Math.floor(h); // wrap into [0, 1)
    const s = delta / v;
    const h6 = h * 6;
    const sector = Math.floor(h6);
    const f = h6 - sector;
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
    data[q] = clamp01(r2);
    data[q + 1] = clamp01(g2);
    data[q + 2] = clamp01(b2);
  }
}

/** Luma written into all three channels. RGB only. */
export function grayscaleInPlace(data: Float32Array): void {
  for (let q = 0; q < data.length; q += 3) {
    const y = LUMA_R * (data[q] ?? 0) + LUMA_G * (data[q + 1] ?? 0) + LUMA_B * (data[q + 2] ?? 0);
    data[q] = y;
    data[q + 1] = y;
    data[q + 2] = y;
  }
}

function copyAnd(img: Image, edit: (data: Float32Array) => void): Image {
  const data = img.data.slice();
  edit(data);
  return withData(img, data);
}

export function adjustBrightness(img: Image, factor: number): Image {
  return copyAnd(img, (d) => brightnessInPlace(d, factor));
}

export function adjustContrast(img: Image, factor: number): Image {
  return copyAnd(img, (d) => contrastInPlace(d, img.channels, factor));
}

export function adjustSaturation(img: Image, factor: number): Image {
  return img.channels === 1 ? img : copyAnd(img, (d) => saturationInPlace(d, factor));
}

export function adjustHue(img: Image, shift: number): Image {
  return img.channels === 1 || shift === 0 ? img : copyAnd(img, (d) => hueInPlace(d, shift));
}

/** Luma replicated into every channel; the channel count is kept (a 3-channel image stays 3). */
export function toGrayscale(img: Image): Image {
  return img.channels === 1 ? img : copyAnd(img, grayscaleInPlace);
}
