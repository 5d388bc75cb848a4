// Named augmentation pipelines, the form the trainer and the loader's workers ask for them in
// (a worker receives the name, never a function).
//
//   none         eval: the dataset image as is (resized to size x size if it is not already)
//   simaugment   the SupCon paper's pipeline (sim_augment.ts)
//   cropflip     RandomResizedCrop(size, scale 0.5-1) -> flip: SimAugment without the colour operations
//                and with a gentler crop, for grayscale data and short schedules
//   padcrop      RandomCrop(size, padding size/8, zeros) -> flip: shifts only, the object keeps its scale
//                (the classic CIFAR / Fashion-MNIST view; the main job's)
//   randaugment  RandomResizedCrop(size, scale 0.2-1) -> flip -> RandAugment(n=2, m=9)
//   autoaugment  RandomResizedCrop(size, scale 0.2-1) -> flip -> AutoAugment(ImageNet policy)
// The crop and flip in front of the policies are what torchvision's reference recipes and the
// SupCon paper's augmentation ablation put there; the policies alone never change the image size.

import { resizeImage } from '../resize.ts';
import { autoAugment } from './auto_augment.ts';
import { horizontalFlip, randomPaddedCrop, randomResizedCrop } from './crop_flip.ts';
import { randAugment } from './rand_augment.ts';
import { simAugment } from './sim_augment.ts';
import { compose, type Augment } from './types.ts';

export const AUGMENTATIONS = ['none', 'simaugment', 'cropflip', 'padcrop', 'randaugment', 'autoaugment'] as const;
export type AugmentationName = (typeof AUGMENTATIONS)[number];

export function isAugmentationName(name: string): name is AugmentationName {
  return (AUGMENTATIONS as readonly string[]).includes(name);
}

export function buildAugmentation(name: AugmentationName, size: number): Augment {
  switch (name) {
    case 'none':
      return (img) => resizeImage(img, size);
    case 'simaugment':
      return simAugment({ size });
    case 'cropflip':
      return compose(randomResizedCrop({ size, scale: [0.5, 1] }), horizontalFlip(0.5));
    case 'padcrop':
      return compose(randomPaddedCrop(size, Math.round(size / 8)), horizontalFlip(0.5));
    case 'randaugment':
      return compose(randomResizedCrop({ size, scale: [0.2, 1] }), horizontalFlip(0.5), randAugment({ n: 2, m: 9 }));
    case 'autoaugment':
      return compose(randomResizedCrop({ size, scale: [0.2, 1] }), horizontalFlip(0.5), autoAugment('imagenet'));
    default:
      // Reachable from untyped callers (CLI strings, worker messages).
      throw new RangeError(`unknown augmentation '${String(name)}' (expected ${AUGMENTATIONS.join(', ')})`);
  }
}
