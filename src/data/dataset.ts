// The Dataset contract the trainer consumes, and the two storage forms behind every implementation:
// Uint8 pixels in memory (a SharedArrayBuffer, so loader workers read them without copies) or
// files decoded on access (datasets too big for memory).

import { decodeImage } from './decode.ts';
import { imageFromU8, type Channels, type Image } from './image.ts';
import { resizeImage } from './resize.ts';

export interface Dataset {
  readonly name: string;
  readonly classes: readonly string[];
  readonly channels: Channels;
  /** Square side of every image. */
  readonly size: number;
  readonly length: number;
  label(i: number): number;
  /** Image i, size x size x channels, values in [0, 1]. */
  image(i: number): Promise<Image>;
}

interface HandleMeta {
  name: string;
  classes: string[];
  channels: Channels;
  size: number;
  /** [length] class indices */
  labels: Int32Array;
}

/** Everything a worker needs to rebuild a dataset without loading it again (structured-cloneable). */
export type DatasetHandle =
  | (HandleMeta & { kind: 'pixels'; /** [length, size, size, channels] uint8 */ pixels: SharedArrayBuffer })
  | (HandleMeta & { kind: 'files'; paths: string[] });

export interface ShareableDataset extends Dataset {
  handle(): DatasetHandle;
}

export function isShareable(d: Dataset): d is ShareableDataset {
  return typeof (d as Partial<ShareableDataset>).handle === 'function';
}

export interface DatasetMeta {
  name: string;
  classes: readonly string[];
  channels: Channels;
  size: number;
}

function checkLabels(labels: Int32Array, classes: readonly string[], name: string): void {
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i] ?? -1;
    if (l < 0 || l >= classes.length) throw new RangeError(`${name}: label ${l} of sample ${i} outside [0, ${classes.length})`);
  }
}

/** Images held as Uint8 HWC, converted to Float32 on access. */
export class PixelDataset implements ShareableDataset {
  readonly name: string;
  readonly classes: readonly string[];
  readonly channels: Channels;
  readonly size: number;
  readonly length: number;
  /** [length, size, size, channels] */
  readonly pixels: Uint8Array;
  /** [length] */
  readonly labels: Int32Array;
  private shared: SharedArrayBuffer | undefined;

  constructor(meta: DatasetMeta, pixels: Uint8Array, labels: Int32Array) {
    const per = meta.size * meta.size * meta.channels;
    if (pixels.length !== labels.length * per) {
      throw new RangeError(`${meta.name}: ${pixels.length} pixel bytes for ${labels.length} images of ${per}`);
    }
    checkLabels(labels, meta.classes, meta.name);
    this.name = meta.name;
    this.classes = meta.classes;
    this.channels = meta.channels;
    this.size = meta.size;
    this.length = labels.length;
    this.pixels = pixels;
    this.labels = labels;
    this.shared = pixels.buffer instanceof SharedArrayBuffer && pixels.byteOffset === 0 && pixels.byteLength === pixels.buffer.byteLength ? pixels.buffer : undefined;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`${this.name}: index ${i} outside [0, ${this.length})`);
  }

  label(i: number): number {
    this.check(i);
    return this.labels[i] ?? 0;
  }

  /** Uint8 HWC view of image i (no copy). */
  pixelsOf(i: number): Uint8Array {
    this.check(i);
    const per = this.size * this.size * this.channels;
    return this.pixels.subarray(i * per, (i + 1) * per);
  }

  imageSync(i: number): Image {
    return imageFromU8(this.pixelsOf(i), this.size, this.size, this.channels);
  }

  image(i: number): Promise<Image> {
    try {
      return Promise.resolve(this.imageSync(i));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  handle(): DatasetHandle {
    if (this.shared === undefined) {
      // Copied once into shared memory; later handles reuse it.
      const sab = new SharedArrayBuffer(this.pixels.byteLength);
      new Uint8Array(sab).set(this.pixels);
      this.shared = sab;
    }
    return { kind: 'pixels', ...this.metaForHandle(), pixels: this.shared };
  }

  private metaForHandle(): HandleMeta {
    return { name: this.name, classes: [...this.classes], channels: this.channels, size: this.size, labels: this.labels.slice() };
  }
}

/** Images decoded from their files on every access (for datasets that do not fit in memory). */
export class FileDataset implements ShareableDataset {
  readonly name: string;
  readonly classes: readonly string[];
  readonly channels: Channels;
  readonly size: number;
  readonly length: number;
  readonly paths: readonly string[];
  readonly labels: Int32Array;

  constructor(meta: DatasetMeta, paths: readonly string[], labels: Int32Array) {
    if (paths.length !== labels.length) throw new RangeError(`${meta.name}: ${paths.length} paths, ${labels.length} labels`);
    checkLabels(labels, meta.classes, meta.name);
    this.name = meta.name;
    this.classes = meta.classes;
    this.channels = meta.channels;
    this.size = meta.size;
    this.length = labels.length;
    this.paths = paths;
    this.labels = labels;
  }

  label(i: number): number {
    const l = this.labels[i];
    if (l === undefined) throw new RangeError(`${this.name}: index ${i} outside [0, ${this.length})`);
    return l;
  }

  async image(i: number): Promise<Image> {
    const path = this.paths[i];
    if (path === undefined) throw new RangeError(`${this.name}: index ${i} outside [0, ${this.length})`);
    return decodeImage(path, { channels: this.channels, size: this.size });
  }

  handle(): DatasetHandle {
    return {
      kind: 'files', name: this.name, classes: [...this.classes], channels: this.channels, size: this.size,
      labels: this.labels.slice(), paths: [...this.paths],
    };
  }
}

export function datasetFromHandle(h: DatasetHandle): PixelDataset | FileDataset {
  const meta = { name: h.name, classes: h.classes, channels: h.channels, size: h.size };
  return h.kind === 'pixels' ? new PixelDataset(meta, new Uint8Array(h.pixels), h.labels) : new FileDataset(meta, h.paths, h.labels);
}

/** A Uint8Array backed by shared memory, so a PixelDataset built on it is handed to workers for free. */
export function sharedBytes(n: number): Uint8Array {
  return new Uint8Array(new SharedArrayBuffer(n));
}

/** Resizes every image of an in-memory set (e.g. 28 -> 32 for a CIFAR-style stem). */
export function resizePixels(pixels: Uint8Array, count: number, from: number, to: number, channels: Channels): Uint8Array {
  if (from === to) return pixels;
  const out = sharedBytes(count * to * to * channels);
  const perIn = from * from * channels;
  const perOut = to * to * channels;
  for (let i = 0; i < count; i++) {
    const img = resizeImage(imageFromU8(pixels.subarray(i * perIn, (i + 1) * perIn), from, from, channels), to);
    for (let k = 0; k < perOut; k++) out[i * perOut + k] = Math.max(0, Math.min(255, Math.round((img.data[k] ?? 0) * 255)));
  }
  return out;
}
