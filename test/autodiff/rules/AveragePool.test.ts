// AveragePool: dx = ConvTranspose(dy / count, ones) per channel. float32 (the rule's ConvTranspose has
// no double kernel on ORT's CPU EP): eps 1e-3, rtol = atol = 2e-3.

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

const pool = (options: b.PoolOptions & { countIncludePad?: boolean }) => (x: b.Value | undefined) => b.averagePool(x!, options);

test('AveragePool: full Jacobian, kernel 3 stride 2 pad 1, count_include_pad = 1', async (t) => {
  const r = await checkJacobian({ inputs: [{ shape: [2, 2, 5, 5] }], f: pool({ kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('AveragePool: full Jacobian, kernel 3 stride 2 pad 1, count_include_pad = 0', async (t) => {
  const r = await checkJacobian({ inputs: [{ shape: [2, 2, 5, 5] }], f: pool({ kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: false }) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('AveragePool: full Jacobian, 3x2 kernel, stride (1, 2), asymmetric pads, count_include_pad = 0', async (t) => {
  const r = await checkJacobian({ inputs: [{ shape: [1, 2, 4, 6] }], f: pool({ kernel: [3, 2], strides: [1, 2], pads: [1, 0, 0, 1], countIncludePad: false }) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('AveragePool: directional check, kernel 2 stride 2 (no pads), even and odd sizes', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [2, 3, 8, 7] }], f: pool({ kernel: [2, 2] }) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
