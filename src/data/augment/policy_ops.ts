// The operation table shared by RandAugment and AutoAugment, with torchvision's magnitude bins
// (transforms/autoaugment.py, `_augmentation_space`): a level in [0, numBins) maps to a magnitude,
// and signed ops are negated with probability 1/2.

import type { Image } from '../image.ts';
import { rotate, shearX, shearY, translate, type Interpolation } from './affine.ts';
import { adjustBrightness, adjustContrast, adjustSaturation } from './color_ops.ts';
import { adjustSharpness, autoContrast, equalize, invert, posterize, solarize } from './pixel_ops.ts';

export const POLICY_OPS = [
  'Identity', 'ShearX', 'ShearY', 'TranslateX', 'TranslateY', 'Rotate', 'Brightness', 'Color',
  'Contrast', 'Sharpness', 'Posterize', 'Solarize', 'AutoContrast', 'Equalize', 'Invert',
] as const;
export type PolicyOp = (typeof POLICY_OPS)[number];

/** The 14 ops RandAugment draws from (all but Invert). */
export const RAND_AUGMENT_OPS: readonly PolicyOp[] = POLICY_OPS.filter((op) => op !== 'Invert');

/** linspace(lo, hi, bins)[level] */
function linspace(lo: number, hi: number, bins: number, level: number): number {
  return bins === 1 ? lo : lo + ((hi - lo) * level) / (bins - 1);
}

/** Magnitude of `op` at `level` of `bins`, and whether its sign is randomised. */
export function opMagnitude(op: PolicyOp, level: number, bins: number, width: number, height: number): { value: number; signed: boolean } {
  switch (op) {
    case 'ShearX':
    case 'ShearY':
      return { value: linspace(0, 0.3, bins, level), signed: true };
    case 'TranslateX':
      return { value: linspace(0, (150 / 331) * width, bins, level), signed: true };
    case 'TranslateY':
      return { value: linspace(0, (150 / 331) * height, bins, level), signed: true };
    case 'Rotate':
      return { value: linspace(0, 30, bins, level), signed: true };
    case 'Brightness':
    case 'Color':
    case 'Contrast':
    case 'Sharpness':
      return { value: linspace(0, 0.9, bins, level), signed: true };
    case 'Posterize':
      return { value: 8 - Math.round(level / ((bins - 1) / 4)), signed: false };
    case 'Solarize':
      return { value: linspace(1, 0, bins, level), signed: false };
    default:
      return { value: 0, signed: false };
  }
}

export function applyOp(img: Image, op: PolicyOp, magnitude: number, interpolation: Interpolation): Image {
  switch (op) {
    case 'Identity':
      return img;
    case 'ShearX':
      return shearX(img, magnitude, interpolation);
    case 'ShearY':
      return shearY(img, magnitude, interpolation);
    case 'TranslateX':
      return translate(img, Math.trunc(magnitude), 0, interpolation); // torchvision: int(magnitude)
    case 'TranslateY':
      return translate(img, 0, Math.trunc(magnitude), interpolation);
    case 'Rotate':
      return rotate(img, magnitude, interpolation);
    case 'Brightness':
      return adjustBrightness(img, 1 + magnitude);
    case 'Color':
      return adjustSaturation(img, 1 + magnitude);
    case 'Contrast':
      return adjustContrast(img, 1 + magnitude);
    case 'Sharpness':
      return adjustSharpness(img, 1 + magnitude);
    case 'Posterize':
      return posterize(img, magnitude);
    case 'Solarize':
      return solarize(img, magnitude);
    case 'AutoContrast':
      return autoContrast(img);
    case 'Equalize':
      return equalize(img);
    case 'Invert':
      return invert(img);
  }
}
