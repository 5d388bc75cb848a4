// Per-channel normalisation statistics and packing of HWC images into the NCHW tensors the ONNX
// graphs take.

import type { Dataset } from './dataset.ts';
import type { Image } from './image.ts';

export interface MeanStd {
  /** [channels] */
  mean: number[];
  /** [channels], population standard deviation over all pixels */
  std: number[];
}

/** Below this a channel counts as constant: dividing by its std would blow up or give NaN. */
const MIN_STD = 1e-6;

export interface MeanStdOptions {
  maxSamples?: number;
  /** Told when a channel is constant over the samples (its std is then 1). */
  onWarning?: (message: string) => void;
}

/**
 * Mean and std per channel over up to `maxSamples` images spread evenly across the dataset
 * (deterministic, no RNG), accumulated in float64. A channel that is constant over the samples gets
 * std 1 (with a warning): normalising by 0 would give NaN inputs in training and in the exported model.
 */
export async function computeMeanStd(dataset: Dataset, options: MeanStdOptions = {}): Promise<MeanStd> {
  const maxSamples = options.maxSamples ?? 10_000;
  const c = dataset.channels;
  const n = Math.min(dataset.length, Math.max(1, Math.floor(maxSamples)));
  if (n === 0 || dataset.length === 0) throw new RangeError(`computeMeanStd: ${dataset.name} is empty`);
  const sum = new Float64Array(c);
  const sumSq = new Float64Array(c);
  let pixels = 0;
  for (let k = 0; k < n; k++) {
    const img = await dataset.image(Math.floor((k * dataset.length) / n));
    const d = img.data;
    for (let i = 0; i < d.length; i += c) {
      for (let ch = 0; ch < c; ch++) {
        const v = d[i + ch] ?? 0;
        sum[ch] = (sum[ch] ?? 0) + v;
        sumSq[ch] = (sumSq[ch] ?? 0) + v * v;
      }
    }
    pixels += d.length / c;
  }
  const mean = Array.from(sum, (s) => s / pixels);
  const std = Array.from(sumSq, (s, ch) => {
    const sd = Math.sqrt(Math.max(0, s / pixels - (mean[ch] ?? 0) ** 2));
    if (sd >= MIN_STD) return sd;
    options.onWarning?.(`${dataset.name}: channel ${ch} is constant (${(mean[ch] ?? 0).toFixed(4)}) over ${n} sampled images; normalising it with std 1 instead of ${sd}`);
    return 1;
  });
  return { mean, std };
}

/** Writes (img - mean) / std of one HWC image into `out` at [n] of an [N, C, H, W] tensor. */
export function writeNchw(img: Image, out: Float32Array, n: number, mean: readonly number[], std: readonly number[]): void {
  const { width: w, height: h, channels: c } = img;
  const plane = w * h;
  const base = n * c * plane;
  const d = img.data;
  for (let ch = 0; ch < c; ch++) {
    const m = mean[ch] ?? 0;
    const inv = 1 / (std[ch] ?? 1);
    const o = base + ch * plane;
    for (let p = 0, q = ch; p < plane; p++, q += c) out[o + p] = ((d[q] ?? 0) - m) * inv;
  }
}

/** [N, C, H, W] normalised tensor of same-shape HWC images. */
export function toNchw(images: readonly Image[], mean: readonly number[], std: readonly number[]): Float32Array {
  const first = images[0];
  if (first === undefined) return new Float32Array(0);
  const { width, height, channels } = first;
  if (mean.length !== channels || std.length !== channels) {
    throw new RangeError(`toNchw: mean/std have ${mean.length}/${std.length} entries for ${channels} channels`);
  }
  const out = new Float32Array(images.length * channels * width * height);
  images.forEach((img, n) => {
    if (img.width !== width || img.height !== height || img.channels !== channels) {
      throw new RangeError(`toNchw: image ${n} is ${img.width}x${img.height}x${img.channels}, expected ${width}x${height}x${channels}`);
    }
    writeNchw(img, out, n, mean, std);
  });
  return out;
}
