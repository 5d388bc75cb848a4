// RandAugment (Cubuk et al. 2020) as torchvision implements it: n ops drawn uniformly with
// replacement from the 14-op space, every op at the same magnitude level m of 31 bins, signed ops
// negated with probability 1/2. Geometric ops use nearest interpolation and black fill (torchvision's
// defaults) unless told otherwise.

import type { Interpolation } from './affine.ts';
import { applyOp, opMagnitude, RAND_AUGMENT_OPS } from './policy_ops.ts';
import type { Augment } from './types.ts';

export interface RandAugmentOptions {
  n?: number;
  m?: number;
  numBins?: number;
  interpolation?: Interpolation;
}

export function randAugment(opts: RandAugmentOptions = {}): Augment {
  const n = opts.n ?? 2;
  const m = opts.m ?? 9;
  const bins = opts.numBins ?? 31;
  const interpolation = opts.interpolation ?? 'nearest';
  if (m < 0 || m >= bins) throw new RangeError(`randAugment: m must be in [0, ${bins}), got ${m}`);
  return (img, rng) => {
    let out = img;
    for (let k = 0; k < n; k++) {
      const op = RAND_AUGMENT_OPS[rng.int(RAND_AUGMENT_OPS.length)] ?? 'Identity';
      const { value, signed } = opMagnitude(op, m, bins, out.width, out.height);
      const negate = rng.chance(0.5); // drawn for every op so the stream does not depend on the op
      out = applyOp(out, op, signed && negate ? -value : value, interpolation);
    }
    return out;
  };
}
