// Conv: dx (flipped-weight Conv for stride 1, ConvTranspose otherwise), dw (per-offset products), db.
// ORT's CPU Conv is float32 only: eps 1e-3, rtol = atol = 2e-3, inputs uniform(-1, 1) so values are O(1).

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import type { Value } from '../../../src/onnx/index.ts';
import { type CheckResult, checkJacobian, checkVjp } from '../gradcheck.ts';

const report = (t: { diagnostic: (m: string) => void }, r: CheckResult): void => t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);

/** x [N, C, H, W], w [F, C/group, kh, kw], b [F]. */
function convCase(x: number[], w: number[], options: b.ConvOptions, bias = true) {
  const inputs = [{ shape: x }, { shape: w }, ...(bias ? [{ shape: [w[0]!] }] : [])];
  return { inputs, f: (...v: Value[]) => b.conv(v[0]!, v[1]!, v[2], options) };
}

test('Conv: directional check, 3x3 same padding (center offset unsliced), bias', async (t) => {
  report(t, await checkVjp(convCase([2, 4, 6, 6], [6, 4, 3, 3], { pads: [1, 1, 1, 1] })));
});

test('Conv: directional check, 1x1 (a single product for dw)', async (t) => {
  report(t, await checkVjp(convCase([2, 5, 4, 4], [3, 5, 1, 1], {})));
});

test('Conv: directional check, 1x1 stride 2 (the ResNet shortcut)', async (t) => {
  report(t, await checkVjp(convCase([2, 4, 6, 6], [6, 4, 1, 1], { strides: [2, 2] }, false)));
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

test('Conv: directional check, depthwise (group = channels), stride 2', async (t) => {
  report(t, await checkVjp(convCase([2, 4, 6, 6], [4, 1, 3, 3], { group: 4, strides: [2, 2], pads: [1, 1, 1, 1] })));
});
