// Geometric augmentations: torchvision's RandomResizedCrop, RandomCrop with zero padding and
// RandomHorizontalFlip, same parameter sampling.

import { withData, type Image } from '../image.ts';
import { resampleBox, resizeImage } from '../resize.ts';
import type { Augment } from './types.ts';

export interface RandomResizedCropOptions {
  size: number;
  /** Fraction of the image area kept, uniform in [scale[0], scale[1]]; SupCon uses [0.2, 1]. */
  scale?: readonly [number, number];
  /** Aspect ratio w/h, log-uniform in [ratio[0], ratio[1]]. */
  ratio?: readonly [number, number];
}

/** Crop box (integer pixels) chosen as torchvision's RandomResizedCrop.get_params does. */
export function sampleCropBox(
  width: number,
  height: number,
  scale: readonly [number, number],
  ratio: readonly [number, number],
  rng: { uniform(a: number, b: number): number; int(n: number): number },
): { x: number; y: number; width: number; height: number } {
  const area = width * height;
  const logLo = Math.log(ratio[0]);
  const logHi = Math.log(ratio[1]);
  for (let attempt = 0; attempt < 10; attempt++) {
    const target = area * rng.uniform(scale[0], scale[1]);
    const aspect = Math.exp(rng.uniform(logLo, logHi));
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && w <= width && h > 0 && h <= height) {
      return { x: rng.int(width - w + 1), y: rng.int(height - h + 1), width: w, height: h };
    }
  }
  // Fallback: the centred crop with the aspect ratio clamped into range.
  const inRatio = width / height;
  let w = width;
  let h = height;
  if (inRatio < ratio[0]) h = Math.round(w / ratio[0]);
  else if (inRatio > ratio[1]) w = Math.round(h * ratio[1]);
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), width: w, height: h };
}

export function randomResizedCrop(opts: RandomResizedCropOptions): Augment {
  const scale = opts.scale ?? [0.2, 1];
  const ratio = opts.ratio ?? [3 / 4, 4 / 3];
  return (img, rng) => {
    const box = sampleCropBox(img.width, img.height, scale, ratio, rng);
    return resampleBox(img, box, opts.size, opts.size);
  };
}

/**
 * torchvision's RandomCrop(size, padding): the image (resized to size x size first if it is not) padded
 * with `padding` zero pixels on every side, then a size x size window at a uniform offset: a shift of
 * up to `padding` pixels each way that keeps the object's scale, the classic CIFAR / Fashion-MNIST view.
 */
export function randomPaddedCrop(size: number, padding: number): Augment {
  return (img, rng) => {
    const src = img.width === size && img.height === size ? img : resizeImage(img, size);
    const c = src.channels;
    const dx = rng.int(2 * padding + 1) - padding;
    const dy = rng.int(2 * padding + 1) - padding;
    const out = new Float32Array(size * size * c);
    for (let y = 0; y < size; y++) {
      const sy = y + dy;
      if (sy < 0 || sy >= size) continue;
      const x0 = Math.max(0, -dx);
      const x1 = Math.min(size, size - dx);
      if (x1 > x0) out.set(src.data.subarray((sy * size + x0 + dx) * c, (sy * size + x1 + dx) * c), (y * size + x0) * c);
    }
    return withData(src, out);
  };
}

/** Mirror left-right. */
export function flipHorizontal(img: Image): Image {
  const { width, height, channels: c } = img;
  const src = img.data;
  const out = new Float32Array(src.length);
  for (let y = 0; y < height; y++) {
    const row = y * width * c;
    for (let x = 0; x < width; x++) {
      const from = row + (width - 1 - x) * c;
      const to = row + x * c;
      for (let ch = 0; ch < c; ch++) out[to + ch] = src[from + ch] ?? 0;
    }
  }
  return withData(img, out);
}

export function horizontalFlip(p = 0.5): Augment {
  return (img, rng) => (rng.chance(p) ? flipHorizontal(img) : img);
}
