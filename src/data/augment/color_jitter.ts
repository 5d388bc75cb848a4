// torchvision's ColorJitter and RandomGrayscale. SupCon's pipeline uses
// RandomApply(ColorJitter(0.4, 0.4, 0.4, 0.1), p=0.8) then RandomGrayscale(p=0.2).

import { withData } from '../image.ts';
import { brightnessInPlace, contrastInPlace, hueInPlace, saturationInPlace, toGrayscale } from './color_ops.ts';
import type { Augment } from './types.ts';

export interface ColorJitterOptions {
  /** Factor uniform in [max(0, 1 - b), 1 + b]. */
  brightness?: number;
  contrast?: number;
  saturation?: number;
  /** Hue shift uniform in [-hue, hue] turns, hue <= 0.5. */
  hue?: number;
  /** Probability of applying the jitter at all (RandomApply). */
  p?: number;
}

export function colorJitter(opts: ColorJitterOptions): Augment {
  const b = opts.brightness ?? 0;
  const c = opts.contrast ?? 0;
  const s = opts.saturation ?? 0;
  const h = opts.hue ?? 0;
  const p = opts.p ?? 1;
  if (h < 0 || h > 0.5) throw new RangeError(`colorJitter: hue must be in [0, 0.5], got ${h}`);
  return (img, rng) => {
    if (!rng.chance(p)) return img;
    // As torchvision: a random order of the four adjustments, every factor drawn every time, so the
    // stream consumed does not depend on the image (1- or 3-channel alike).
    const order = rng.shuffle([0, 1, 2, 3]);
    const fb = rng.uniform(Math.max(0, 1 - b), 1 + b);
    const fc = rng.uniform(Math.max(0, 1 - c), 1 + c);
    const fs = rng.uniform(Math.max(0, 1 - s), 1 + s);
    const fh = rng.uniform(-h, h);
    const data = img.data.slice(); // one working copy, edited in place
    const rgb = img.channels === 3;
    for (const op of order) {
      if (op === 0 && b > 0) brightnessInPlace(data, fb);
      else if (op === 1 && c > 0) contrastInPlace(data, img.channels, fc);
      else if (op === 2 && s > 0 && rgb) saturationInPlace(data, fs);
      else if (op === 3 && h > 0 && rgb) hueInPlace(data, fh);
    }
    return withData(img, data);
  };
}

/** With probability p, replace colour by luma (3 channels stay 3; no-op on 1-channel images). */
export function randomGrayscale(p = 0.2): Augment {
  return (img, rng) => (rng.chance(p) ? toGrayscale(img) : img);
}
