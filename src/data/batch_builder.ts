// Builds one batch: every sample's image, one augmentation per view, normalised into [B, C, S, S].
// The same code runs inline and inside loader workers, and the randomness of (sample i, epoch e,
// view v) is `augRoot.fork(e, i, v)`, so a batch's bytes do not depend on who builds it (a loader
// worker, the main thread, or the browser's Train view).

import { buildAugmentation, type AugmentationName } from './augment/build.ts';
import type { Augment } from './augment/types.ts';
import type { Dataset, PixelDataset } from './dataset.ts';
import type { Image } from './image.ts';
import { writeNchw } from './normalize.ts';
import { Rng } from './rng.ts';

export interface BatchSpec {
  views: readonly AugmentationName[];
  mean: readonly number[];
  std: readonly number[];
  seed: number;
}

export interface BuiltBatch {
  /** One [B, C, S, S] tensor per view (own ArrayBuffers, so they can be transferred). */
  views: Float32Array<ArrayBuffer>[];
  /** [B] class indices */
  labels: BigInt64Array<ArrayBuffer>;
}

const AUGMENT_KEY = 0xa06;

// By shape, not instanceof: a value import of dataset.ts would pull sharp (decode.ts) into the page's
// bundle, which builds its batches here too (web/train).
const hasSyncImages = (d: Dataset): d is Dataset & Pick<PixelDataset, 'imageSync'> => typeof (d as Partial<PixelDataset>).imageSync === 'function';

/** Where images come from: a dataset, or images the main thread sent along with the task. */
export type ImageSource = Dataset | { images: readonly Image[]; labels: readonly number[] };

export class BatchBuilder {
  private readonly spec: BatchSpec;
  private readonly size: number;
  private readonly channels: 1 | 3;
  private readonly augments: Augment[];
  private readonly augRoot: Rng;

  constructor(spec: BatchSpec, size: number, channels: 1 | 3) {
    this.spec = spec;
    this.size = size;
    this.channels = channels;
    if (spec.views.length < 1) throw new RangeError('a loader needs at least one view');
    if (spec.mean.length !== channels || spec.std.length !== channels) {
      throw new RangeError(`mean/std have ${spec.mean.length}/${spec.std.length} entries for ${channels} channels`);
    }
    if (!spec.std.every((s) => s > 0)) throw new RangeError(`std must be > 0 in every channel, got [${spec.std.join(', ')}]`);
    this.augments = spec.views.map((name) => buildAugmentation(name, size));
    this.augRoot = new Rng(spec.seed).fork(AUGMENT_KEY);
  }

  async build(source: ImageSource, sampleIds: Int32Array, epoch: number): Promise<BuiltBatch> {
    const b = sampleIds.length;
    const per = this.channels * this.size * this.size;
    const views = this.augments.map(() => new Float32Array(b * per));
    const labels = new BigInt64Array(b);
    for (let n = 0; n < b; n++) {
      const id = sampleIds[n] ?? 0;
      let img: Image;
      if ('images' in source) {
        const given = source.images[n];
        if (given === undefined) throw new RangeError(`batch task carries ${source.images.length} images for ${b} samples`);
        img = given;
        labels[n] = BigInt(source.labels[n] ?? 0);
      } else {
        img = hasSyncImages(source) ? source.imageSync(id) : await source.image(id);
        labels[n] = BigInt(source.label(id));
      }
      this.augments.forEach((aug, v) => {
        const out = aug(img, this.augRoot.fork(epoch, id, v));
        if (out.width !== this.size || out.height !== this.size || out.channels !== this.channels) {
          throw new Error(`view ${v} (${this.spec.views[v] ?? ''}) produced ${out.width}x${out.height}x${out.channels} for sample ${id}, expected ${this.size}x${this.size}x${this.channels}`);
        }
        writeNchw(out, views[v] ?? new Float32Array(0), n, this.spec.mean, this.spec.std);
      });
    }
    return { views, labels };
  }
}
