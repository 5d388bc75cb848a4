// From a photo to what the model sees, in the page: decoded by the browser, alpha on black (as sharp
// flattens), the centred square resized by a canvas (smoothing on; not bit-identical to sharp's resize
// in Node, see src/export/preprocess.ts), as [S, S, C] bytes; and those bytes as the model's input.

import { centerSquare, lumaBytes, writeChw } from '../src/export/preprocess.ts';

export interface InputFormat {
  inputSize: number;
  channels: 1 | 3;
}

/** Decoded image -> [S, S, C] uint8 HWC. */
export function bitmapBytes(bitmap: ImageBitmap, format: InputFormat): Uint8Array {
  const s = format.inputSize;
  const canvas = new OffscreenCanvas(s, s);
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, s, s);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const sq = centerSquare(bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, sq.x, sq.y, sq.side, sq.side, 0, 0, s, s);
  const rgba = ctx.getImageData(0, 0, s, s).data;
  if (format.channels === 1) return lumaBytes(rgba, s * s, 4);
  const rgb = new Uint8Array(s * s * 3);
  for (let p = 0; p < s * s; p++) rgb.set(rgba.subarray(p * 4, p * 4 + 3), p * 3);
  return rgb;
}

/** A file as [S, S, C] bytes; undefined when the browser cannot decode it. */
export async function fileBytes(file: Blob, format: InputFormat): Promise<Uint8Array | undefined> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return undefined;
  }
  try {
    return bitmapBytes(bitmap, format);
  } finally {
    bitmap.close();
  }
}

/** [n, S, S, C] bytes -> the model's `image` input [n, C, S, S] in [0, 1]. */
export function modelInput(bytes: Uint8Array, n: number, format: InputFormat): Float32Array {
  const { inputSize: s, channels: c } = format;
  const per = s * s * c;
  const out = new Float32Array(n * per);
  for (let i = 0; i < n; i++) writeChw(bytes.subarray(i * per, (i + 1) * per), s, s, c, c, out, i * per, 1 / 255);
  return out;
}

/** Draws [S, S, C] bytes onto `canvas` (thumbnails, the model-input preview). */
export function drawBytes(canvas: HTMLCanvasElement, bytes: Uint8Array, format: InputFormat): void {
  const s = format.inputSize;
  canvas.width = s;
  canvas.height = s;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const img = ctx.createImageData(s, s);
  for (let p = 0; p < s * s; p++) {
    for (let k = 0; k < 3; k++) img.data[p * 4 + k] = bytes[format.channels === 1 ? p : p * 3 + k] ?? 0;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
