// Conv: dx (flipped-weight Conv for stride 1, ConvTranspose otherwise), dw (one Conv over the batch for
// x of at most 4 channels, else batched per-offset products, or per-offset products over the whole
// batch when an image has fewer output positions than output channels), db.
// ORT's CPU Conv is float32 only: eps 1e-3, rtol = atol = 2e-3, inputs uniform(-1, 1) so values are O(1).

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import type { Value } from '../../../src/onnx/index.ts';
import { type CheckResult, checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

const report = (t: { diagnostic: (m: string) => void }, r: CheckResult): void => t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);

/** x [N, C, H, W], w [F, C/group, kh, kw], b [F]. */
function convCase(x: number[], w: number[], options: b.ConvOptions, bias = true) {
  const inputs = [{ shape: x }, { shape: w }, ...(bias ? [{ shape: [w[0]!] }] : [])];
  return { inputs, f: (...v: Value[]) => b.conv(v[0]!, v[1]!, v[2], options) };
}

test('Conv: directional check, 3x3 same padding (batched dw, centre window whole), bias', async (t) => {
  report(t, await checkVjp(convCase([2, 6, 6, 6], [6, 6, 3, 3], { pads: [1, 1, 1, 1] })));
});

test('Conv: directional check, 1x1 (batched dw, one window: x itself)', async (t) => {
  report(t, await checkVjp(convCase([2, 5, 4, 4], [3, 5, 1, 1], {})));
});

test('Conv: directional check, 1x1 stride 2 (the ResNet shortcut)', async (t) => {
  report(t, await checkVjp(convCase([2, 6, 6, 6], [6, 6, 1, 1], { strides: [2, 2] }, false)));
});

test('Conv: directional check, stride 1 with pads wider than the kernel (ConvTranspose path)', async (t) => {
  report(t, await checkVjp(convCase([2, 3, 4, 4], [2, 3, 1, 1], { pads: [1, 2, 0, 1] })));
});

test('Conv: full Jacobian, 3x3 stride 2 pad 1', async (t) => {
  report(t, await checkJacobian(convCase([1, 2, 5, 5], [2, 2, 3, 3], { strides: [2, 2], pads: [1, 1, 1, 1] })));
});

test('Conv: full Jacobian, asymmetric pads, 3x2 kernel', async (t) => {
  report(t, await checkJacobian(convCase([1, 2, 4, 5], [2, 2, 3, 2], { pads: [0, 1, 2, 1] })));
});

test('Conv: full Jacobian, dilation 2', async (t) => {
  report(t, await checkJacobian(convCase([1, 2, 6, 6], [2, 2, 3, 3], { dilations: [2, 2], pads: [2, 1, 2, 1] })));
});

test('Conv: full Jacobian, group 2', async (t) => {
  report(t, await checkJacobian(convCase([1, 4, 4, 4], [4, 2, 3, 3], { group: 2, pads: [1, 1, 1, 1] })));
});

test('Conv: full Jacobian, stride (2, 1), asymmetric pads, dilation (1, 2), group 2, batch 2', async (t) => {
  report(t, await checkJacobian(convCase([2, 4, 7, 6], [6, 2, 3, 2], { strides: [2, 1], pads: [1, 0, 2, 1], dilations: [1, 2], group: 2 })));
});

test('Conv: full Jacobian, fewer output positions than channels (per-offset dw), stride (2, 1), dilation (1, 2)', async (t) => {
  report(t, await checkJacobian(convCase([2, 5, 4, 3], [8, 5, 3, 2], { strides: [2, 1], pads: [1, 0, 1, 1], dilations: [1, 2] })));
});

test('Conv: directional check, 3x3 same padding on 2x2 with 8 channels out (per-offset dw, centre window whole)', async (t) => {
  report(t, await checkVjp(convCase([3, 5, 2, 2], [8, 5, 3, 3], { pads: [1, 1, 1, 1] })));
});

test('Conv: directional check, 1x1 with more channels than positions (per-offset dw, one window)', async (t) => {
  report(t, await checkVjp(convCase([2, 5, 2, 2], [8, 5, 1, 1], {})));
});

test('Conv: directional check, depthwise (group = channels), stride 2', async (t) => {
  report(t, await checkVjp(convCase([2, 4, 6, 6], [4, 1, 3, 3], { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] })));
});

test('Conv: directional check, 7x7 stride 2 pad 3 on 3 channels (the ImageNet stem: dw as one Conv, cut to 7x7)', async (t) => {
  report(t, await checkVjp(convCase([2, 3, 11, 11], [4, 3, 7, 7], { strides: [2, 2], pads: [3, 3, 3, 3] })));
});

test('Conv: full Jacobian, 3x3 same padding on 1 channel (the small CNN\'s first conv: dw as one Conv)', async (t) => {
  report(t, await checkJacobian(convCase([3, 1, 5, 5], [2, 1, 3, 3], { pads: [1, 1, 1, 1] })));
});

test('Conv: a symbolic batch axis gives the same gradients as the static shape', async () => {
  const options: b.ConvOptions = { strides: [2, 1], pads: [1, 1, 1, 1], group: 2 };
  const data = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * k));
  const fed = [{ dims: [3, 4, 5, 5], data: data(300, 0.7) }, { dims: [6, 2, 3, 3], data: data(108, 1.3) }];
  // Both dx paths, ConvTranspose (stride 2) and the flipped-weight Conv (stride 1); squares make dy vary.
  const square = (y: Value): Value => b.reduceSum(b.mul(y, y), []);
  // And dw as one Conv over the batch (group 1 on 2 of x's channels).
  const fewChannels = (x: Value, w: Value): Value => b.conv(b.slice(x, [0], [2], [1]), b.slice(w, [0], [2], [0]), undefined, { pads: [1, 1, 1, 1] });
  const f = (x: Value, w: Value): Value =>
    b.add(b.add(square(b.conv(x, w, undefined, options)), square(b.conv(x, w, undefined, { ...options, strides: [1, 1] }))), square(fewChannels(x, w)));
  const run = async (batch: number | string) =>
    (await gradFunction([{ shape: [batch, 4, 5, 5], dtype: 'float32' }, { shape: [6, 2, 3, 3], dtype: 'float32' }], f))(fed);
  const [fixed, symbolic] = [await run(3), await run('N')];
  fixed.grads.forEach((g, i) => assertClose(symbolic.grads[i]!, g, 1e-6, `gradient ${i}`));
});
