// Public surface of the augmentations.
export type { Augment } from './types.ts';
export { compose, randomApply } from './types.ts';
export { randomResizedCrop, randomPaddedCrop, horizontalFlip, flipHorizontal, sampleCropBox, type RandomResizedCropOptions } from './crop_flip.ts';
export { colorJitter, randomGrayscale, type ColorJitterOptions } from './color_jitter.ts';
export { adjustBrightness, adjustContrast, adjustSaturation, adjustHue, toGrayscale } from './color_ops.ts';
export { simAugment, SUPCON_JITTER, type SimAugmentOptions } from './sim_augment.ts';
export { randAugment, type RandAugmentOptions } from './rand_augment.ts';
export { autoAugment, IMAGENET_POLICY } from './auto_augment.ts';
export { applyOp, opMagnitude, POLICY_OPS, RAND_AUGMENT_OPS, type PolicyOp } from './policy_ops.ts';
export { autoContrast, equalize, invert, posterize, solarize, adjustSharpness } from './pixel_ops.ts';
export { rotate, shearX, shearY, translate, warpAffine, type Interpolation } from './affine.ts';
export { buildAugmentation, isAugmentationName, AUGMENTATIONS, type AugmentationName } from './build.ts';
