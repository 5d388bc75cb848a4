// Preprocessing shared by Node and the browser (pure TypeScript): the centred square crop, packing
// pixels into the model's `image` tensor [N, C, H, W] in [0, 1], and top-k of a probability row.
//
// Resizing itself differs by platform: Node decodes and resizes with sharp (src/data/decode.ts: shorter
// side to `size`, centre crop, the same call the training data went through), the browser draws onto a
// canvas (drawImage with smoothing). The two resamplers are not bit-identical, so a photo can give
// slightly different probabilities in Node and in the page; the parity tests feed identical tensors.

/** The centred square of a width x height image, in source pixels (what "shorter side, centre crop" keeps). */
export function centerSquare(width: number, height: number): { x: number; y: number; side: number } {
  const side = Math.min(width, height);
  return { x: (width - side) / 2, y: (height - side) / 2, side };
}

/** ITU-R BT.601 luma, as src/data uses for grayscale. */
const LUMA = [0.299, 0.587, 0.114] as const;

/**
 * Interleaved pixels (HWC with `srcChannels` of 1, 3 or 4, values scaled by `scale`: 1/255 for bytes)
 * -> planar CHW written into `out` at `offset`. RGBA drops alpha (canvases hold opaque images here);
 * 3 -> 1 channel takes luma.
 */
export function writeChw(
  src: ArrayLike<number>,
  width: number,
  height: number,
  srcChannels: 1 | 3 | 4,
  channels: 1 | 3,
  out: Float32Array,
  offset = 0,
  scale = 1,
): void {
  const plane = width * height;
  if (src.length !== plane * srcChannels) throw new RangeError(`writeChw: ${src.length} values for ${width}x${height}x${srcChannels}`);
  if (out.length < offset + plane * channels) throw new RangeError('writeChw: output too small');
  for (let p = 0; p < plane; p++) {
    const q = p * srcChannels;
    if (channels === 3 && srcChannels !== 1) {
      for (let c = 0; c < 3; c++) out[offset + c * plane + p] = (src[q + c] ?? 0) * scale;
    } else if (channels === 3) {
      const v = (src[q] ?? 0) * scale;
      for (let c = 0; c < 3; c++) out[offset + c * plane + p] = v;
    } else if (srcChannels === 1) {
      out[offset + p] = (src[q] ?? 0) * scale;
    } else {
      out[offset + p] = (LUMA[0] * (src[q] ?? 0) + LUMA[1] * (src[q + 1] ?? 0) + LUMA[2] * (src[q + 2] ?? 0)) * scale;
    }
  }
}

/** Interleaved RGB(A) bytes -> rounded BT.601 luma bytes, as src/data/decode.ts makes grayscale input. */
export function lumaBytes(src: ArrayLike<number>, pixels: number, srcChannels: 3 | 4): Uint8Array {
  const out = new Uint8Array(pixels);
  for (let p = 0, q = 0; p < pixels; p++, q += srcChannels) {
    out[p] = Math.round(LUMA[0] * (src[q] ?? 0) + LUMA[1] * (src[q + 1] ?? 0) + LUMA[2] * (src[q + 2] ?? 0));
  }
  return out;
}

export interface Prediction {
  label: string;
  index: number;
  probability: number;
}

/** The k most probable classes of `probs[offset .. offset + classes.length)`, best first (ties: lower index). */
export function topK(probs: ArrayLike<number>, classes: readonly string[], k: number, offset = 0): Prediction[] {
  const order = classes.map((_, i) => i);
  order.sort((a, b) => (probs[offset + b] ?? 0) - (probs[offset + a] ?? 0) || a - b);
  return order.slice(0, Math.max(1, Math.min(k, classes.length))).map((i) => ({ label: classes[i] ?? String(i), index: i, probability: probs[offset + i] ?? 0 }));
}
