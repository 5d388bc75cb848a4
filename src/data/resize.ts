// Bilinear resampling of a source box to a new size, with PIL's antialiasing: when shrinking, the
// triangle filter is widened by the scale factor, so downsizing averages instead of aliasing.
// This is what torchvision's resized_crop does on PIL images (and on tensors with antialias=True).

import { createImage, type Image } from './image.ts';

/** A rectangle in source pixel units (may be fractional). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Filter taps for one axis: output i reads `count[i]` inputs from `first[i]`, weights at `i * maxTaps`. */
interface AxisTaps {
  first: Int32Array;
  count: Int32Array;
  weights: Float32Array;
  maxTaps: number;
}

function axisTaps(inSize: number, start: number, length: number, outSize: number): AxisTaps {
  const scale = length / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filterScale; // triangle filter support is 1, widened when shrinking
  const maxTaps = Math.ceil(support) * 2 + 2;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float32Array(outSize * maxTaps);
  for (let i = 0; i < outSize; i++) {
    const center = start + (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    let sum = 0;
    let n = 0;
    for (let x = lo; x < hi && n < maxTaps; x++, n++) {
      const t = Math.abs((x + 0.5 - center) / filterScale);
      const w = t < 1 ? 1 - t : 0;
      weights[i * maxTaps + n] = w;
      sum += w;
    }
    if (sum === 0) {
      // Box entirely outside the image (cannot happen for valid crops): nearest edge pixel.
      first[i] = Math.min(inSize - 1, Math.max(0, Math.floor(center)));
      count[i] = 1;
      weights[i * maxTaps] = 1;
      continue;
    }
    for (let k = 0; k < n; k++) weights[i * maxTaps + k] = (weights[i * maxTaps + k] ?? 0) / sum;
    first[i] = lo;
    count[i] = n;
  }
  return { first, count, weights, maxTaps };
}

/** Resamples `box` of `img` to outWidth x outHeight (separable: horizontal pass, then vertical). */
export function resampleBox(img: Image, box: Box, outWidth: number, outHeight: number): Image {
  const c = img.channels;
  const xt = axisTaps(img.width, box.x, box.width, outWidth);
  const yt = axisTaps(img.height, box.y, box.height, outHeight);
  // Only source rows some output row reads need the horizontal pass.
  let rowLo = img.height;
  let rowHi = 0;
  for (let i = 0; i < outHeight; i++) {
    const f = yt.first[i] ?? 0;
    rowLo = Math.min(rowLo, f);
    rowHi = Math.max(rowHi, f + (yt.count[i] ?? 0));
  }
  const src = img.data;
  // tmp: [rowHi - rowLo, outWidth, c]; taps outermost so each weight is read once per pixel.
  const rowStride = outWidth * c;
  const tmp = new Float32Array(Math.max(0, rowHi - rowLo) * rowStride);
  for (let y = rowLo; y < rowHi; y++) {
    const srcRow = y * img.width * c;
    const tmpRow = (y - rowLo) * rowStride;
    for (let i = 0; i < outWidth; i++) {
      const f = xt.first[i] ?? 0;
      const n = xt.count[i] ?? 0;
      const wBase = i * xt.maxTaps;
      const o = tmpRow + i * c;
      if (c === 3) {
        let r = 0;
        let g = 0;
        let b = 0;
        for (let k = 0; k < n; k++) {
          const w = xt.weights[wBase + k] ?? 0;
          const s = srcRow + (f + k) * 3;
          r += w * (src[s] ?? 0);
          g += w * (src[s + 1] ?? 0);
          b += w * (src[s + 2] ?? 0);
        }
        tmp[o] = r;
        tmp[o + 1] = g;
        tmp[o + 2] = b;
      } else {
        for (let ch = 0; ch < c; ch++) {
          let acc = 0;
          for (let k = 0; k < n; k++) acc += (xt.weights[wBase + k] ?? 0) * (src[srcRow + (f + k) * c + ch] ?? 0);
          tmp[o + ch] = acc;
        }
      }
    }
  }
  // Vertical pass: each output row is a weighted sum of whole tmp rows.
  const out = createImage(outWidth, outHeight, c);
  const dst = out.data;
  for (let j = 0; j < outHeight; j++) {
    const f = (yt.first[j] ?? 0) - rowLo;
    const n = yt.count[j] ?? 0;
    const wBase = j * yt.maxTaps;
    const outRow = j * rowStride;
    for (let k = 0; k < n; k++) {
      const w = yt.weights[wBase + k] ?? 0;
      const t = (f + k) * rowStride;
      for (let q = 0; q < rowStride; q++) dst[outRow + q] = (dst[outRow + q] ?? 0) + w * (tmp[t + q] ?? 0);
    }
  }
  return out;
}

/** Eval preprocessing: shorter side to `size`, then the centred size x size crop. */
export function resizeImage(img: Image, size: number): Image {
  if (img.width === size && img.height === size) return img;
  const side = Math.min(img.width, img.height);
  const box = { x: (img.width - side) / 2, y: (img.height - side) / 2, width: side, height: side };
  return resampleBox(img, box, size, size);
}
