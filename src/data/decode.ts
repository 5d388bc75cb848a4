// Image decoding with sharp (the only module in the project that imports it).
//
// Every input ends as 8-bit sRGB or grayscale HWC: EXIF orientation applied, alpha composited on
// black, CMYK converted to sRGB through its ICC profile (or libvips' default CMYK profile), 16-bit
// scaled to 8-bit, animations reduced to their first frame. Grayscale output is BT.601 luma of the
// sRGB values (PIL's convert('L'), torchvision's rgb_to_grayscale), computed here rather than by
// libvips, whose 'b-w' goes through linear light and gives e.g. 102 instead of 81 for (200, 30, 30).

import sharp from 'sharp';
import { DecodeError } from './errors.ts';
import { imageFromU8, LUMA_B, LUMA_G, LUMA_R, type Channels, type Image } from './image.ts';

export interface DecodeOptions {
  channels: Channels;
  /** Resize the shorter side to `size` and centre-crop to size x size (eval preprocessing). */
  size?: number;
  /** Largest accepted width x height (default 2^28); checked from the header, before any pixel is decoded. */
  maxPixels?: number;
}

/** Uint8 HWC pixels, the form datasets keep in memory. */
export interface DecodedU8 {
  width: number;
  height: number;
  channels: Channels;
  /** [height, width, channels] */
  data: Uint8Array;
}

function describe(input: string | Uint8Array): string {
  return typeof input === 'string' ? input : '<buffer>';
}

function reasonOf(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  // libvips repeats its message per retry; the first line says it all.
  return (msg.split('\n')[0] ?? msg).trim() || 'unknown error';
}

/** [h, w, 3] -> [h, w] BT.601 luma, rounded (gray pixels r = g = b = v stay exactly v). */
function lumaU8(rgb: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgb.length / 3);
  for (let p = 0, q = 0; p < out.length; p++, q += 3) {
    out[p] = Math.round(LUMA_R * (rgb[q] ?? 0) + LUMA_G * (rgb[q + 1] ?? 0) + LUMA_B * (rgb[q + 2] ?? 0));
  }
  return out;
}

/** Decodes to Uint8 HWC. Throws DecodeError with the path and libvips' reason. */
export async function decodeImageU8(input: string | Uint8Array, opts: DecodeOptions): Promise<DecodedU8> {
  if (input instanceof Uint8Array && input.length === 0) throw new DecodeError(describe(input), 'empty buffer');
  try {
    // failOn 'error': truncated or corrupt data fails, harmless libjpeg/libpng warnings do not.
    // pages 1: the first frame of GIF/WebP animations and multi-page TIFFs.
    let pipeline = sharp(input, { failOn: 'error', pages: 1, limitInputPixels: opts.maxPixels ?? 1 << 28 })
      .autoOrient()
      .flatten({ background: { r: 0, g: 0, b: 0 } });
    if (opts.size !== undefined) {
      // 'cover' = shorter side to size, centred crop of the longer side.
      pipeline = pipeline.resize(opts.size, opts.size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' });
    }
    const { data, info } = await pipeline.toColourspace('srgb').raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`decoded to ${info.channels} channels, expected 3`);
    const rgb = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    return { width: info.width, height: info.height, channels: opts.channels, data: opts.channels === 3 ? rgb : lumaU8(rgb) };
  } catch (err) {
    if (err instanceof DecodeError) throw err;
    throw new DecodeError(describe(input), reasonOf(err));
  }
}

/** Decodes a file path or encoded bytes to an Image (Float32 HWC in [0, 1]). */
export async function decodeImage(input: string | Uint8Array, opts: DecodeOptions): Promise<Image> {
  const u8 = await decodeImageU8(input, opts);
  return imageFromU8(u8.data, u8.width, u8.height, u8.channels);
}

export interface ImageProbe {
  /** 1 for grayscale (with or without alpha), else 3. */
  channels: Channels;
  width: number;
  height: number;
}

/** Channels and size of an encoded image from its header, without decoding pixels. */
export async function probeImage(input: string | Uint8Array): Promise<ImageProbe> {
  try {
    const meta = await sharp(input).metadata();
    const channels = meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2 ? 1 : 3;
    return { channels, width: meta.width ?? 0, height: meta.height ?? 0 };
  } catch (err) {
    throw new DecodeError(describe(input), reasonOf(err));
  }
}

/** Channel count of an encoded image without decoding pixels: 1 for grayscale (with or without alpha). */
export async function probeChannels(input: string | Uint8Array): Promise<Channels> {
  return (await probeImage(input)).channels;
}
