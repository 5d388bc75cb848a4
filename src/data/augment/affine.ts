// Affine warps used by RandAugment / AutoAugment (rotate, shear, translate), filling uncovered
// pixels with black as torchvision does by default.

import { createImage, type Image } from '../image.ts';

export type Interpolation = 'nearest' | 'bilinear';

/**
 * Inverse map in pixel-centre coordinates: output pixel (x, y) reads the source at
 * (m[0] x + m[1] y + m[2], m[3] x + m[4] y + m[5]).
 */
export type InverseAffine = readonly [number, number, number, number, number, number];

export function warpAffine(img: Image, m: InverseAffine, interpolation: Interpolation): Image {
  const { width: w, height: h, channels: c } = img;
  const src = img.data;
  const out = createImage(w, h, c);
  const dst = out.data;
  const [a, b, tx, d, e, ty] = m;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      // Continuous source position with pixel centres at integer + 0.5, shifted to index space.
      const sx = a * (x + 0.5) + b * (y + 0.5) + tx - 0.5;
      const sy = d * (x + 0.5) + e * (y + 0.5) + ty - 0.5;
      const o = (y * w + x) * c;
      if (interpolation === 'nearest') {
        const ix = Math.round(sx);
        const iy = Math.round(sy);
        if (ix < 0 || iy < 0 || ix >= w || iy >= h) continue; // fill 0
        const s = (iy * w + ix) * c;
        for (let ch = 0; ch < c; ch++) dst[o + ch] = src[s + ch] ?? 0;
        continue;
      }
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      for (let ch = 0; ch < c; ch++) {
        let acc = 0;
        for (let k = 0; k < 4; k++) {
          const xx = x0 + (k & 1);
          const yy = y0 + (k >> 1);
          if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
          const wt = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
          acc += wt * (src[(yy * w + xx) * c + ch] ?? 0);
        }
        dst[o + ch] = acc;
      }
    }
  }
  return out;
}

/** Counter-clockwise rotation by `degrees` about the image centre. */
export function rotate(img: Image, degrees: number, interpolation: Interpolation): Image {
  const t = (degrees * Math.PI) / 180;
  const cos = Math.cos(t);
  const sin = Math.sin(t);
  const cx = img.width / 2;
  const cy = img.height / 2;
  // y points down, so a visually counter-clockwise turn maps output d to source c + R(d - c) with
  // R = [[cos, -sin], [sin, cos]].
  return warpAffine(img, [cos, -sin, cx - cos * cx + sin * cy, sin, cos, cy - sin * cx - cos * cy], interpolation);
}

/** Horizontal shear about the top-left corner (PIL AutoAugment convention): reads (x + s y, y). */
export function shearX(img: Image, s: number, interpolation: Interpolation): Image {
  return warpAffine(img, [1, s, 0, 0, 1, 0], interpolation);
}

export function shearY(img: Image, s: number, interpolation: Interpolation): Image {
  return warpAffine(img, [1, 0, 0, s, 1, 0], interpolation);
}

/** Shift content right by dx and down by dy pixels. */
export function translate(img: Image, dx: number, dy: number, interpolation: Interpolation): Image {
  return warpAffine(img, [1, 0, -dx, 0, 1, -dy], interpolation);
}
