// Checks and the held-out split of the user's classes: pure, so the page checks before it starts a
// worker and the trainer checks again whatever called it.

import { Rng } from '../../src/data/rng.ts';
import { TrainError } from './errors.ts';

/** A class needs this many training images: a SupCon anchor needs a positive, and one example teaches nothing about a class. */
export const MIN_IMAGES_PER_CLASS = 2;

/** At least 2 classes with distinct names, each with MIN_IMAGES_PER_CLASS training images; throws naming those that fail. */
export function checkClasses(classes: readonly string[], labels: ArrayLike<number>): void {
  if (classes.length < 2) throw new TrainError('data', `make at least 2 classes (there ${classes.length === 1 ? 'is 1' : `are ${classes.length}`})`);
  const unnamed = classes.filter((c) => c.trim() === '').length;
  if (unnamed > 0) throw new TrainError('data', `${unnamed === 1 ? 'a class has' : `${unnamed} classes have`} no name`);
  const twice = classes.filter((c, i) => classes.indexOf(c) !== i);
  if (twice.length > 0) throw new TrainError('data', `class names must differ: ${[...new Set(twice)].map((c) => `"${c}"`).join(', ')} used more than once`);
  const counts = classes.map(() => 0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const short = classes.flatMap((name, c) => (counts[c]! < MIN_IMAGES_PER_CLASS ? [`"${name}" has ${counts[c]}`] : []));
  if (short.length > 0) throw new TrainError('data', `every class needs at least ${MIN_IMAGES_PER_CLASS} training images: ${short.join(', ')}`);
}

/**
 * Which of a class's `count` images to hold out when the user set none aside: `percent` of them, seeded,
 * never leaving fewer than MIN_IMAGES_PER_CLASS to train on.
 */
export function heldOutIndices(count: number, percent: number, seed: number): Set<number> {
  const k = Math.min(Math.round((count * percent) / 100), Math.max(0, count - MIN_IMAGES_PER_CLASS));
  return new Set(new Rng(seed).fork(count).shuffle(Array.from({ length: count }, (_, i) => i)).slice(0, k));
}
