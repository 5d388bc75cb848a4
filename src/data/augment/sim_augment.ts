// The SupCon paper's training augmentation (SupContrast main_supcon.py, "SimAugment" in the paper):
//   RandomResizedCrop(size, scale=(0.2, 1)) -> RandomHorizontalFlip()
//   -> RandomApply([ColorJitter(0.4, 0.4, 0.4, 0.1)], p=0.8) -> RandomGrayscale(p=0.2)
// Normalisation happens later, when batches are packed (normalize.ts).

import { colorJitter, randomGrayscale, type ColorJitterOptions } from './color_jitter.ts';
import { horizontalFlip, randomResizedCrop } from './crop_flip.ts';
import { compose, type Augment } from './types.ts';

export interface SimAugmentOptions {
  size: number;
  scale?: readonly [number, number];
  flipP?: number;
  jitter?: ColorJitterOptions;
  grayscaleP?: number;
}

export const SUPCON_JITTER: Readonly<ColorJitterOptions> = { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 };

export function simAugment(opts: SimAugmentOptions): Augment {
  return compose(
    randomResizedCrop({ size: opts.size, scale: opts.scale ?? [0.2, 1] }),
    horizontalFlip(opts.flipP ?? 0.5),
    colorJitter(opts.jitter ?? SUPCON_JITTER),
    randomGrayscale(opts.grayscaleP ?? 0.2),
  );
}
