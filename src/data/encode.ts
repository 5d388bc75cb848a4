// Image encoding with sharp (src/data is the only place that imports it): the report rasterises its
// charts here so that src/report stays free of native modules.

import sharp from 'sharp';

/**
 * Rasterises an SVG document to PNG bytes. `density` is the DPI librsvg renders at: 72 keeps the
 * SVG's pixel size, 144 doubles it (sharper text on high-DPI screens and in slides).
 */
export async function svgToPng(svg: string, density = 144): Promise<Uint8Array> {
  const png = await sharp(Buffer.from(svg, 'utf8'), { density }).png().toBuffer();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
