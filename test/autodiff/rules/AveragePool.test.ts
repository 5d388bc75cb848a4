// AveragePool: dx = ConvTranspose(dy / count, ones) per channel. float32 (the rule's ConvTranspose has
// no double kernel on ORT's CPU EP): eps 1e-3, rtol = atol = 2e-3.

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

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

test('AveragePool: symbolic batch, count_include_pad = 0 divides corner windows by the cells inside', async () => {
  // 2x2 input, kernel 2 stride 1 pad 1 on every side: 3x3 windows holding 1, 2, 1 / 2, 4, 2 / 1, 2, 1 cells.
  const run = await gradFunction([{ shape: ['N', 1, 2, 2], dtype: 'float32' }], (x) =>
    b.averagePool(x, { kernel: [2, 2], strides: [1, 1], pads: [1, 1, 1, 1], countIncludePad: false }));
  const { grads } = await run([{ dims: [2, 1, 2, 2], data: [1, 2, 3, 4, 5, 6, 7, 8] }]);
  // each cell: 1/1 (its corner) + 2 * 1/2 (edges) + 1/4 (centre) = 2.25
  assertClose(grads[0]!, new Array<number>(8).fill(2.25), 1e-6);
});
