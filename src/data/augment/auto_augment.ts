// AutoAugment (Cubuk et al. 2019) with the ImageNet policy, as torchvision's AutoAugment: one of
// the 25 sub-policies is drawn, each of its two ops applies with its probability at its magnitude
// level of 10 bins; signed ops are negated with probability 1/2.

import type { Interpolation } from './affine.ts';
import { applyOp, opMagnitude, type PolicyOp } from './policy_ops.ts';
import type { Augment } from './types.ts';

/** [op, probability, magnitude level or null] */
type Step = readonly [PolicyOp, number, number | null];
type SubPolicy = readonly [Step, Step];

export const IMAGENET_POLICY: readonly SubPolicy[] = [
  [['Posterize', 0.4, 8], ['Rotate', 0.6, 9]],
  [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]],
  [['Equalize', 0.8, null], ['Equalize', 0.6, null]],
  [['Posterize', 0.6, 7], ['Posterize', 0.6, 6]],
  [['Equalize', 0.4, null], ['Solarize', 0.2, 4]],
  [['Equalize', 0.4, null], ['Rotate', 0.8, 8]],
  [['Solarize', 0.6, 3], ['Equalize', 0.6, null]],
  [['Posterize', 0.8, 5], ['Equalize', 1.0, null]],
  [['Rotate', 0.2, 3], ['Solarize', 0.6, 8]],
  [['Equalize', 0.6, null], ['Posterize', 0.4, 6]],
  [['Rotate', 0.8, 8], ['Color', 0.4, 0]],
  [['Rotate', 0.4, 9], ['Equalize', 0.6, null]],
  [['Equalize', 0.0, null], ['Equalize', 0.8, null]],
  [['Invert', 0.6, null], ['Equalize', 1.0, null]],
  [['Color', 0.6, 4], ['Contrast', 1.0, 8]],
  [['Rotate', 0.8, 8], ['Color', 1.0, 2]],
  [['Color', 0.8, 8], ['Solarize', 0.8, 7]],
  [['Sharpness', 0.4, 7], ['Invert', 0.6, null]],
  [['ShearX', 0.6, 5], ['Equalize', 1.0, null]],
  [['Color', 0.4, 0], ['Equalize', 0.6, null]],
  [['Equalize', 0.4, null], ['Solarize', 0.2, 4]],
  [['Solarize', 0.6, 5], ['AutoContrast', 0.6, null]],
  [['Invert', 0.6, null], ['Equalize', 1.0, null]],
  [['Color', 0.6, 4], ['Contrast', 1.0, 8]],
  [['Equalize', 0.8, null], ['Equalize', 0.6, null]],
];

const AUTO_AUGMENT_BINS = 10;
const POLICIES: Readonly<Record<'imagenet', readonly SubPolicy[]>> = { imagenet: IMAGENET_POLICY };

export function autoAugment(policy: 'imagenet' = 'imagenet', interpolation: Interpolation = 'nearest'): Augment {
  const policies = POLICIES[policy];
  return (img, rng) => {
    const sub = policies[rng.int(policies.length)] ?? policies[0];
    if (sub === undefined) return img;
    // As torchvision: both coins and both signs are drawn up front.
    const coins = [rng.next(), rng.next()];
    const negate = [rng.chance(0.5), rng.chance(0.5)];
    let out = img;
    sub.forEach(([op, p, level], k) => {
      if ((coins[k] ?? 1) > p) return;
      const mag = level === null ? { value: 0, signed: false } : opMagnitude(op, level, AUTO_AUGMENT_BINS, out.width, out.height);
      out = applyOp(out, op, mag.signed && negate[k] === true ? -mag.value : mag.value, interpolation);
    });
    return out;
  };
}
