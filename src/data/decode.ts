// Image decoding with sharp (the only module in the project that imports it).
//
// Every input ends as 8-bit sRGB or grayscale HWC: EXIF orientation applied, alpha composited on
// black, CMYK converted to sRGB through its ICC profile (or libvips' default CMYK profile), 16-bit
// scaled to 8-bit, animations reduced to their first frame.

import sharp from 'sharp';
import { DecodeError } from './errors.ts';
import { imageFromU8, type Channels, type Image } from './image.ts';

export interface DecodeOptions {
  channels: Channels;
  /** Resize the shorter side to `size` and centre-crop to size x size (eval preprocessing). */
  size?: number;
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

/** Decodes to Uint8 HWC. Throws DecodeError with the path and libvips' reason. */
export async function decodeImageU8(input: string | Uint8Array, opts: DecodeOptions): Promise<DecodedU8> {
  if (input instanceof Uint8Array && input.length === 0) throw new DecodeError(describe(input), 'empty buffer');
  try {
    // failOn 'error': truncated or corrupt data fails, harmless libjpeg/libpng warnings do not.
    // pages 1: the first frame of GIF/WebP animations and multi-page TIFFs.
    let pipeline = sharp(input, { failOn: 'error', pages: 1, limitInputPixels: 1 << 28 })
      .autoOrient()
      .flatten({ background: { r: 0, g: 0, b: 0 } });
    if (opts.size !== undefined) {
      // 'cover' = shorter side to size, centred crop of the longer side.
      pipeline = pipeline.resize(opts.size, opts.size, { fit: 'cover', position: 'centre', kernel: 'lanczos3' });
    }
    pipeline = opts.channels === 1 ? pipeline.toColourspace('b-w') : pipeline.toColourspace('srgb');
    const { data, info } = await pipeline.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== opts.channels) {
      throw new Error(`decoded to ${info.channels} channels, expected ${opts.channels}`);
    }
    return {
      width: info.width,
      height: info.height,
      channels: opts.channels,
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
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

/** Channel count of an encoded image without decoding pixels: 1 for grayscale (with or without alpha). */
export async function probeChannels(input: string | Uint8Array): Promise<Channels> {
  try {
    const meta = await sharp(input).metadata();
    return meta.space === 'b-w' || meta.space === 'grey16' || (meta.channels ?? 3) <= 2 ? 1 : 3;
  } catch (err) {
    throw new DecodeError(describe(input), reasonOf(err));
  }
}
