// The page's images as training batches, built by the same code as the CLI's (src/data): the seeded
// sampler (every class at least twice in a SupCon batch), BatchBuilder's augmentations (the randomness
// of image i, epoch e, view v is a function of (seed, e, i, v) alone) and the same normalisation.

import type { AugmentationName } from '../../src/data/augment/build.ts';
import { BatchBuilder } from '../../src/data/batch_builder.ts';
import { imageFromU8, type Image } from '../../src/data/image.ts';
import { toNchw } from '../../src/data/normalize.ts';
import { epochOrder } from '../../src/data/sampler.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import type { LabelledImages } from './job.ts';

export interface ImageFormat {
  size: number;
  channels: 1 | 3;
  mean: readonly number[];
  std: readonly number[];
}

export interface ImageSet {
  images: Image[];
  labels: Int32Array;
}

export function imageSet(set: LabelledImages, format: ImageFormat): ImageSet {
  const per = format.size * format.size * format.channels;
  if (set.pixels.length !== set.labels.length * per) {
    throw new RangeError(`${set.pixels.length} pixel bytes for ${set.labels.length} images of ${format.size}x${format.size}x${format.channels}`);
  }
  const images = Array.from(set.labels, (_, i) => imageFromU8(set.pixels.subarray(i * per, (i + 1) * per), format.size, format.size, format.channels));
  return { images, labels: set.labels };
}

/** SupCon batches of one epoch (image indices), every class present at least twice in each. */
export function supconOrder(labels: Int32Array, seed: number, epoch: number, batchSize: number): Int32Array[] {
  return epochOrder(labels.length, labels, { seed, epoch, batchSize, dropLast: true, minPerClass: 2 });
}

/** Stage-2 batches of one epoch (feature row indices). */
export function linearOrder(labels: Int32Array, seed: number, epoch: number, batchSize: number): Int32Array[] {
  return epochOrder(labels.length, labels, { seed, epoch, batchSize, dropLast: true });
}

/** Two augmented views of every image: `images` [2B, C, S, S] view-major (as buildStage1 takes them), `labels` [B]. */
export class ViewBatches {
  private readonly builder: BatchBuilder;

  constructor(private readonly set: ImageSet, augmentation: AugmentationName, format: ImageFormat, seed: number) {
    this.builder = new BatchBuilder({ views: [augmentation, augmentation], mean: format.mean, std: format.std, seed }, format.size, format.channels);
  }

  async feeds(ids: Int32Array, epoch: number): Promise<Record<string, HostTensor>> {
    const source = { images: Array.from(ids, (i) => this.set.images[i]!), labels: Array.from(ids, (i) => this.set.labels[i]!) };
    const { views, labels } = await this.builder.build(source, ids, epoch);
    const per = views[0]!.length;
    const images = new Float32Array(per * views.length);
    views.forEach((v, k) => images.set(v, k * per));
    const first = this.set.images[0]!;
    return {
      images: { dtype: 'float32', dims: [views.length * ids.length, first.channels, first.height, first.width], data: images },
      labels: { dtype: 'int64', dims: [ids.length], data: labels },
    };
  }
}

/** Every image of `set`, normalised, [n, C, S, S]. */
export function normalised(set: ImageSet, format: ImageFormat): Float32Array {
  return toNchw(set.images, format.mean, format.std);
}
