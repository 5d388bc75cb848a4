import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { centerSquare, lumaBytes, topK, writeChw } from '../../src/export/preprocess.ts';
import { exportModel } from '../../src/export/export_model.ts';
import { ModelRunner } from '../../src/serve/model_runner.ts';
import { SMALL_CNN, randomWeights, tempDir } from './fixtures.ts';
import { solidImage } from '../serve/images.ts';

test('centerSquare keeps the centred square of the shorter side', () => {
  assert.deepEqual(centerSquare(40, 30), { x: 5, y: 0, side: 30 });
  assert.deepEqual(centerSquare(17, 33), { x: 0, y: 8, side: 17 });
});

test('writeChw: RGBA bytes -> planar RGB in [0, 1], gray -> 3 channels, offset', () => {
  const rgba = [255, 0, 51, 255, 0, 102, 255, 128]; // 2 pixels
  const out = new Float32Array(1 + 6);
  writeChw(rgba, 2, 1, 4, 3, out, 1, 1 / 255);
  assert.deepEqual(Array.from(out, (v) => Math.round(v * 255)), [0, 255, 0, 0, 102, 51, 255]);
  const gray = new Float32Array(6);
  writeChw([0.25, 0.5], 2, 1, 1, 3, gray);
  assert.deepEqual(Array.from(gray), [0.25, 0.5, 0.25, 0.5, 0.25, 0.5]);
  assert.throws(() => writeChw([1, 2, 3], 2, 1, 3, 3, new Float32Array(6)), /3 values for 2x1x3/);
});

test('lumaBytes is rounded BT.601 luma (81 for (200, 30, 30), not libvips b-w)', () => {
  assert.deepEqual(Array.from(lumaBytes([200, 30, 30, 255, 10, 10, 10, 0], 2, 4)), [81, 10]);
});

test('topK: best first, ties by index, k clamped', () => {
  const classes = ['a', 'b', 'c', 'd'];
  const probs = [0.9, 0.1, 0.3, 0.2, 0.3, 0.3];
  assert.deepEqual(topK(probs, classes, 2, 2).map((p) => [p.label, p.probability]), [['a', 0.3], ['c', 0.3]]);
  assert.equal(topK(probs, classes, 99).length, 4);
  assert.equal(topK(probs, classes, 0).length, 1);
});

test('grayscale models: Node preprocessing equals the page path (canvas RGBA -> lumaBytes -> writeChw)', async () => {
  const dir = await tempDir('gray');
  try {
    const shape = { channels: 1 as const, inputSize: 8, numClasses: 3 };
    await exportModel({ encoder: SMALL_CNN, encoderName: 'small_cnn', weights: randomWeights(SMALL_CNN, shape), classes: ['x', 'y', 'z'], inputSize: 8, channels: 1, mean: [0.3], std: [0.3], modelName: 'gray', outDir: dir, check: false });
    const runner = await ModelRunner.load(dir);
    const node = await runner.preprocess(await solidImage([200, 30, 30], 12, 10));
    await runner.release();
    const rgba = Array.from({ length: 64 }, () => [200, 30, 30, 255]).flat();
    const page = new Float32Array(64);
    writeChw(lumaBytes(rgba, 64, 4), 8, 8, 1, 1, page, 0, 1 / 255);
    assert.deepEqual(Array.from(node), Array.from(page));
    assert.equal(Math.round(node[0]! * 255), 81);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
