// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
// header [0, 0, type, ndims] + ndims uint32 sizes, then the data. Only unsigned bytes (type 0x08)
// are used by these datasets. Files may be gzipped (detected by magic bytes, not the name).

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { PixelDataset, resizePixels, sharedBytes } from './dataset.ts';
import { DatasetError } from './errors.ts';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

const UBYTE = 0x08;

export function parseIdx(bytes: Uint8Array, source = '<buffer>'): IdxArray {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const raw = gunzipSync(bytes);
    bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength); // plain Uint8Array, not Buffer
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) throw new DatasetError(`${source}: not an IDX file (bad magic)`);
  if (bytes[2] !== UBYTE) throw new DatasetError(`${source}: IDX element type 0x${(bytes[2] ?? 0).toString(16)} unsupported (only unsigned byte)`);
  const ndims = bytes[3] ?? 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 + 4 * ndims) throw new DatasetError(`${source}: IDX header truncated`);
  const dims: number[] = [];
  for (let d = 0; d < ndims; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const start = 4 + 4 * ndims;
  if (bytes.length - start !== count) {
    throw new DatasetError(`${source}: IDX dims [${dims.join(', ')}] need ${count} bytes of data, file has ${bytes.length - start}`);
  }
  return { dims, data: bytes.subarray(start) };
}

/** Encodes an unsigned-byte IDX array (used by tests and for exporting subsets). */
export function encodeIdx(dims: readonly number[], data: Uint8Array): Uint8Array {
  const count = dims.reduce((a, b) => a * b, 1);
  if (count !== data.length) throw new RangeError(`encodeIdx: dims [${dims.join(', ')}] need ${count} bytes, got ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
}

const PREFIX = { train: 'train', test: 't10k' } as const;

/** Finds e.g. train-images-idx3-ubyte, train-images.idx3-ubyte or either with .gz. */
async function findIdxFile(dir: string, split: 'train' | 'test', kind: 'images' | 'labels'): Promise<string> {
  const rank = kind === 'images' ? 3 : 1;
  const stems = [`${PREFIX[split]}-${kind}-idx${rank}-ubyte`, `${PREFIX[split]}-${kind}.idx${rank}-ubyte`];
  const names = [...stems, ...stems.map((s) => `${s}.gz`)];
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    throw new DatasetError(`IDX folder not found: ${dir}`);
  }
  const found = names.find((n) => entries.includes(n));
  if (found === undefined) throw new DatasetError(`no ${names[0]} (or .gz) in ${dir}`);
  return join(dir, found);
}

export interface IdxOptions {
  /** Class names (default '0'..'9', MNIST digits). */
  classes?: readonly string[];
  /** Resize the square images to size x size (default: as stored, 28). */
  size?: number;
  name?: string;
}

export async function loadIdx(dir: string, split: 'train' | 'test', opts: IdxOptions = {}): Promise<PixelDataset> {
  const imagesPath = await findIdxFile(dir, split, 'images');
  const labelsPath = await findIdxFile(dir, split, 'labels');
  const images = parseIdx(await readFile(imagesPath), imagesPath);
  const labels = parseIdx(await readFile(labelsPath), labelsPath);
  const [n, h, w] = images.dims;
  if (images.dims.length !== 3 || n === undefined || h === undefined || w === undefined || h !== w) {
    throw new DatasetError(`${imagesPath}: expected [N, S, S] square images, got [${images.dims.join(', ')}]`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== n) {
    throw new DatasetError(`${labelsPath}: expected [${n}] labels, got [${labels.dims.join(', ')}]`);
  }
  const maxLabel = labels.data.reduce((m, v) => Math.max(m, v), 0);
  const classes = opts.classes ?? Array.from({ length: Math.max(10, maxLabel + 1) }, (_, i) => String(i));
  if (maxLabel >= classes.length) throw new DatasetError(`${labelsPath}: label ${maxLabel} but only ${classes.length} class names`);
  const pixels = sharedBytes(images.data.length);
  pixels.set(images.data);
  const size = opts.size ?? h;
  return new PixelDataset(
    { name: opts.name ?? `idx:${dir}:${split}`, classes, channels: 1, size },
    resizePixels(pixels, n, h, size, 1),
    Int32Array.from(labels.data),
  );
}
