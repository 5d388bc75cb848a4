import type { Image } from '../image.ts';
import type { Rng } from '../rng.ts';

/** A random image transform. Pure: the input image is never modified; all randomness comes from `rng`. */
export type Augment = (img: Image, rng: Rng) => Image;

/** Applies the transforms in order. */
export function compose(...steps: readonly Augment[]): Augment {
  return (img, rng) => steps.reduce((acc, step) => step(acc, rng), img);
}

/** Applies `aug` with probability p (torchvision's RandomApply). The coin is always drawn. */
export function randomApply(aug: Augment, p: number): Augment {
  return (img, rng) => (rng.chance(p) ? aug(img, rng) : img);
}
