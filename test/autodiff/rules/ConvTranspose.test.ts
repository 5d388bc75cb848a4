// ConvTranspose: dx = Conv(dy, w), dw = Conv's weight gradient with the roles swapped, db.
// float32 (ORT's CPU ConvTranspose has no double kernel): eps 1e-3, rtol = atol = 2e-3.

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('ConvTranspose: directional check, 3x3 stride 2 pad 1 output_padding 1 (2x upsampling)', async (t) => {
  const r = await checkVjp({
    inputs: [{ shape: [2, 4, 4, 4] }, { shape: [4, 3, 3, 3] }],
    f: (x, w) => b.convTranspose(x!, w!, { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('ConvTranspose: full Jacobian, stride 2, pads 1, output_padding 1', async (t) => {
  const r = await checkJacobian({
    inputs: [{ shape: [1, 2, 3, 3] }, { shape: [2, 2, 3, 3] }],
    f: (x, w) => b.convTranspose(x!, w!, { strides: [2, 2], pads: [1, 1, 1, 1], outputPadding: [1, 1] }),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('ConvTranspose: full Jacobian, group 2, dilation 2, asymmetric pads, stride (1, 2)', async (t) => {
  const r = await checkJacobian({
    inputs: [{ shape: [1, 4, 3, 3] }, { shape: [4, 1, 2, 3] }],
    f: (x, w) => b.convTranspose(x!, w!, { strides: [1, 2], pads: [1, 0, 0, 1], dilations: [2, 2], group: 2 }),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
