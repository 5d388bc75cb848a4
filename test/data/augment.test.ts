// Augmentations: deterministic per seed, right shape and range, pure, and the individual ops do
// what their definitions say on hand-made images.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  adjustBrightness, adjustContrast, adjustHue, adjustSaturation, adjustSharpness, AUGMENTATIONS, autoContrast,
  buildAugmentation, colorJitter, equalize, flipHorizontal, IMAGENET_POLICY, invert, posterize, randAugment,
  randomGrayscale, randomPaddedCrop, randomResizedCrop, RAND_AUGMENT_OPS, rotate, sampleCropBox, shearX, solarize, toGrayscale, translate,
  applyOp, POLICY_OPS,
} from '../../src/data/augment/index.ts';
import { createImage, type Image } from '../../src/data/image.ts';
import { Rng } from '../../src/data/rng.ts';

function randomImage(w: number, h: number, c: 1 | 3, seed: number): Image {
  const img = createImage(w, h, c);
  const r = new Rng(seed);
  for (let i = 0; i < img.data.length; i++) img.data[i] = r.next();
  return img;
}

function fromPixels(w: number, h: number, c: 1 | 3, values: number[]): Image {
  return { width: w, height: h, channels: c, data: Float32Array.from(values) };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-6): void => {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs((a[i] ?? 0) - (b[i] ?? 0)) <= tol, `[${i}] ${a[i]} vs ${b[i]}`);
};

test('every named pipeline: same seed -> identical bytes, other seed -> different, shape and range, input untouched', () => {
  for (const channels of [1, 3] as const) {
    const img = randomImage(40, 30, channels, 5);
    const before = img.data.slice();
    for (const name of AUGMENTATIONS) {
      const aug = buildAugmentation(name, 24);
      const a = aug(img, new Rng(1).fork(0, 7, 0));
      const b = aug(img, new Rng(1).fork(0, 7, 0));
      assert.deepEqual([a.width, a.height, a.channels], [24, 24, channels], name);
      assert.deepEqual(Buffer.from(a.data.buffer), Buffer.from(b.data.buffer), `${name}/${channels}: deterministic`);
      for (const v of a.data) assert.ok(v >= 0 && v <= 1, `${name}: value ${v} outside [0, 1]`);
      if (name !== 'none') {
        const differing = [2, 3, 4, 5].filter((s) => !Buffer.from(aug(img, new Rng(s)).data.buffer).equals(Buffer.from(a.data.buffer)));
        assert.ok(differing.length >= 3, `${name}/${channels}: other seeds give other images`);
      }
      assert.deepEqual(img.data, before, `${name} must not modify its input`);
    }
  }
});

test('randomResizedCrop: boxes follow scale and ratio; full-scale square crop is the identity', () => {
  const r = new Rng(11);
  for (let k = 0; k < 2000; k++) {
    const box = sampleCropBox(64, 48, [0.2, 1], [3 / 4, 4 / 3], r);
    assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 64 && box.y + box.height <= 48);
    const area = (box.width * box.height) / (64 * 48);
    assert.ok(area >= 0.17 && area <= 1.0001, `area ${area}`);
    const ratio = box.width / box.height;
    assert.ok(ratio >= 0.7 && ratio <= 1.43 || box.width === 64, `ratio ${ratio}`);
  }
  const img = randomImage(16, 16, 3, 2);
  const same = randomResizedCrop({ size: 16, scale: [1, 1], ratio: [1, 1] })(img, new Rng(0));
  close(same.data, img.data);
});

test('randomPaddedCrop: a shift of at most `padding` pixels with zero fill; padding 0 is the identity', () => {
  const img = randomImage(8, 8, 3, 2);
  close(randomPaddedCrop(8, 0)(img, new Rng(3)).data, img.data);
  const shifts = new Set<string>();
  for (let seed = 0; seed < 200; seed++) {
    const out = randomPaddedCrop(8, 2)(img, new Rng(seed));
    // Find the shift (dx, dy) for which out[y][x] = img[y + dy][x + dx] inside and 0 outside.
    const match = [-2, -1, 0, 1, 2].flatMap((dy) => [-2, -1, 0, 1, 2].map((dx) => [dx, dy] as const)).filter(([dx, dy]) => {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) for (let c = 0; c < 3; c++) {
        const [sx, sy] = [x + dx, y + dy];
        const want = sx >= 0 && sx < 8 && sy >= 0 && sy < 8 ? img.data[(sy * 8 + sx) * 3 + c]! : 0;
        if (out.data[(y * 8 + x) * 3 + c] !== want) return false;
      }
      return true;
    });
    assert.equal(match.length, 1, `seed ${seed}: exactly one shift within 2 pixels explains the output`);
    shifts.add(match[0]!.join(','));
  }
  assert.equal(shifts.size, 25, 'every shift of up to 2 pixels each way occurs');
  const larger = randomPaddedCrop(8, 1)(randomImage(20, 12, 1, 4), new Rng(0));
  assert.deepEqual([larger.width, larger.height, larger.channels], [8, 8, 1], 'other sizes are resized first');
});

test('horizontal flip mirrors columns', () => {
  const img = fromPixels(3, 1, 1, [0.1, 0.2, 0.3]);
  close(flipHorizontal(img).data, [0.3, 0.2, 0.1]);
  const rgb = randomImage(5, 4, 3, 1);
  close(flipHorizontal(flipHorizontal(rgb)).data, rgb.data);
});

test('colour ops follow torchvision definitions', () => {
  const red = fromPixels(1, 1, 3, [1, 0, 0]);
  close(adjustHue(red, 1 / 3).data, [0, 1, 0], 1e-5);
  close(adjustHue(red, 0.5).data, [0, 1, 1], 1e-5);
  const px = fromPixels(2, 1, 3, [0.8, 0.4, 0.2, 0.2, 0.2, 0.2]);
  close(adjustBrightness(px, 0.5).data, [0.4, 0.2, 0.1, 0.1, 0.1, 0.1]);
  const y0 = 0.299 * 0.8 + 0.587 * 0.4 + 0.114 * 0.2;
  close(adjustSaturation(px, 0).data, [y0, y0, y0, 0.2, 0.2, 0.2], 1e-6);
  const mean = (y0 + 0.2) / 2;
  close(adjustContrast(px, 0).data, [mean, mean, mean, mean, mean, mean], 1e-6);
  const c2 = (v: number): number => Math.min(1, Math.max(0, 2 * v - mean));
  close(adjustContrast(px, 2).data, [c2(0.8), c2(0.4), c2(0.2), c2(0.2), c2(0.2), c2(0.2)], 1e-6);
  close(toGrayscale(px).data, [y0, y0, y0, 0.2, 0.2, 0.2], 1e-6);
  // 1 channel: saturation and hue are no-ops, brightness and contrast apply
  const g = fromPixels(2, 1, 1, [0.2, 0.6]);
  assert.equal(adjustSaturation(g, 0), g);
  assert.equal(adjustHue(g, 0.3), g);
  close(adjustContrast(g, 0).data, [0.4, 0.4]);
  const gray = randomGrayscale(1)(randomImage(4, 4, 3, 9), new Rng(1));
  for (let i = 0; i < gray.data.length; i += 3) assert.ok(gray.data[i] === gray.data[i + 1] && gray.data[i] === gray.data[i + 2]);
});

test('colorJitter applies with probability p and stays in range', () => {
  const img = randomImage(8, 8, 3, 4);
  const jitter = colorJitter({ brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, p: 0.8 });
  let changed = 0;
  for (let s = 0; s < 400; s++) {
    const out = jitter(img, new Rng(s));
    if (out !== img) changed++;
    for (const v of out.data) assert.ok(v >= 0 && v <= 1);
  }
  assert.ok(Math.abs(changed / 400 - 0.8) < 0.07, `applied ${changed}/400`);
  assert.throws(() => colorJitter({ hue: 0.6 }), RangeError);
});

test('pixel ops: invert, solarize, posterize, autoContrast, equalize, sharpness', () => {
  const img = fromPixels(4, 1, 1, [0.2, 0.4, 0.5, 0.6]);
  close(invert(img).data, [0.8, 0.6, 0.5, 0.4], 1e-6);
  close(solarize(img, 0.5).data, [0.2, 0.4, 0.5, 0.4], 1e-6);
  close(posterize(fromPixels(1, 1, 1, [200 / 255]), 2).data, [192 / 255]);
  close(autoContrast(img).data, [0, 0.5, 0.75, 1], 1e-6);
  // Levels 10..13 with 256 pixels each: step = (1024 - 256) / 255 -> 3, lut = (cumulative + 1) / 3.
  const ramp = fromPixels(1024, 1, 1, Array.from({ length: 1024 }, (_, i) => (10 + Math.floor(i / 256)) / 255));
  assert.deepEqual([...new Set(Array.from(equalize(ramp).data, (v) => Math.round(v * 255)))], [0, 85, 171, 255]);
  const tiny = fromPixels(4, 1, 1, [0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(equalize(tiny).data, tiny.data, 'too few pixels for a step: unchanged (as torchvision)');
  const sharp1 = adjustSharpness(randomImage(5, 5, 3, 1), 1);
  close(sharp1.data, randomImage(5, 5, 3, 1).data, 1e-6);
  const blurred = adjustSharpness(fromPixels(3, 3, 1, [0, 0, 0, 0, 1, 0, 0, 0, 0]), 0);
  close(blurred.data, [0, 0, 0, 0, 5 / 13, 0, 0, 0, 0], 1e-6);
});

test('geometric ops: rotate 90, translate with black fill, zero shear is identity', () => {
  // 2x2: [a b; c d] rotated 90 degrees counter-clockwise is [b d; a c]
  const img = fromPixels(2, 2, 1, [0.1, 0.2, 0.3, 0.4]);
  close(rotate(img, 90, 'nearest').data, [0.2, 0.4, 0.1, 0.3], 1e-6);
  close(rotate(img, 90, 'bilinear').data, [0.2, 0.4, 0.1, 0.3], 1e-5);
  const row = fromPixels(4, 1, 1, [0.1, 0.2, 0.3, 0.4]);
  close(translate(row, 1, 0, 'nearest').data, [0, 0.1, 0.2, 0.3], 1e-6);
  close(translate(row, -2, 0, 'nearest').data, [0.3, 0.4, 0, 0], 1e-6);
  const r = randomImage(6, 5, 3, 3);
  close(shearX(r, 0, 'bilinear').data, r.data, 1e-6);
});

test('RandAugment draws from 14 ops; AutoAugment has the 25 ImageNet sub-policies; ops work on 1 channel', () => {
  assert.equal(RAND_AUGMENT_OPS.length, 14);
  assert.ok(!RAND_AUGMENT_OPS.includes('Invert'));
  assert.equal(IMAGENET_POLICY.length, 25);
  const gray = randomImage(12, 12, 1, 8);
  for (const op of POLICY_OPS) {
    const out = applyOp(gray, op, op === 'Posterize' ? 4 : op === 'Solarize' ? 0.5 : 0.3, 'nearest');
    assert.deepEqual([out.width, out.height, out.channels], [12, 12, 1], op);
  }
  assert.throws(() => randAugment({ m: 31 }), RangeError);
  const identity = randAugment({ n: 0 });
  const img = randomImage(6, 6, 3, 1);
  assert.equal(identity(img, new Rng(1)), img);
});

test("'none' resizes to the requested size when needed", () => {
  const none = buildAugmentation('none', 8);
  const img = randomImage(8, 8, 3, 1);
  assert.equal(none(img, new Rng(0)), img);
  const big = none(randomImage(16, 12, 3, 1), new Rng(0));
  assert.deepEqual([big.width, big.height], [8, 8]);
});

test('unknown augmentation names are rejected', () => {
  assert.throws(() => buildAugmentation('mixup' as 'none', 8), /unknown augmentation 'mixup'/);
});
