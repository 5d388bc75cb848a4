// MaxPool: the gradient goes to each window's maximum (the first one, row-major, on ties, as ORT's Indices).
// Inputs are a seeded permutation of well-separated values (spacing 0.05 >> eps), so there are no ties
// and no maximum changes under the finite-difference step. Batch and channels > 1 exercise the n*C part
// of the flat indices; overlapping windows (kernel 3, stride 2) can share a maximum.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

/** 0.05 * (a seeded permutation of 0..n-1) - 1: distinct, in [-1, 1) for n <= 40, spread otherwise. */
function distinct(n: number, seed = 7): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  for (let i = n - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.map((v) => (0.05 * v - 1) / Math.max(1, n / 40));
}

test('MaxPool: full Jacobian, kernel 3 stride 2 pad 1, batch 2, 2 channels, float64', async (t) => {
  const r = await checkJacobian({
    dtype: 'float64',
    eps: 1e-4,
    inputs: [{ shape: [2, 2, 5, 5], data: distinct(100) }],
    f: (x) => b.maxPool(x!, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('MaxPool: full Jacobian, kernel 2 stride 2, float64', async (t) => {
  const r = await checkJacobian({
    dtype: 'float64',
    eps: 1e-4,
    inputs: [{ shape: [2, 2, 4, 4], data: distinct(64, 3) }],
    f: (x) => b.maxPool(x!, { kernel: [2, 2] }),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('MaxPool: directional check, forward built with its Indices output, float32', async (t) => {
  const r = await checkVjp({
    inputs: [{ shape: [2, 3, 8, 8], data: distinct(384, 11) }],
    f: (x) => b.maxPoolWithIndices(x!, { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] })[0],
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('MaxPool: a maximum shared by two overlapping windows gets both gradients; symbolic batch', async () => {
  // One row, windows [0..2] and [2..4] (kernel 3, stride 2): both pick x[2] = 9.
  const run = await gradFunction([{ shape: ['N', 1, 1, 5] }], (x) => b.maxPool(x, { kernel: [1, 3], strides: [1, 2] }));
  const { grads } = await run([{ dims: [2, 1, 1, 5], data: [1, 2, 9, 3, 4, 5, 1, 0, 2, 8] }]);
  assert.deepEqual(grads[0], [0, 0, 2, 0, 0, 1, 0, 0, 0, 1]);
});

test('MaxPool: a tie inside a window sends the gradient to its first maximum; kernel < stride leaves gaps', async () => {
  // kernel [1, 2], stride [1, 3]: windows [0..1], [3..4]; x[2], x[5], x[6] are in no window.
  const run = await gradFunction([{ shape: [1, 1, 1, 7] }], (x) => b.maxPool(x, { kernel: [1, 2], strides: [1, 3] }));
  const { grads } = await run([{ dims: [1, 1, 1, 7], data: [4, 4, 9, 1, 7, 9, 9] }]);
  assert.deepEqual(grads[0], [1, 0, 0, 0, 1, 0, 0]);
});

test('MaxPool: windows that tile x (kernel = stride) send a tie to its first maximum, row-major', async () => {
  // 2x2 windows of a 2x4 image: [1 5 | 7 7] over [5 2 | 7 0]: the left window ties at 5 (offsets 1, 2),
  // the right one at 7 (offsets 0, 1, 2). Symbolic batch, two images.
  const run = await gradFunction([{ shape: ['N', 1, 2, 4] }], (x) => b.maxPool(x, { kernel: [2, 2] }));
  const image = [1, 5, 7, 7, 5, 2, 7, 0];
  const { grads } = await run([{ dims: [2, 1, 2, 4], data: [...image, ...image.map((v) => -v)] }]);
  assert.deepEqual(grads[0], [0, 1, 1, 0, 0, 0, 0, 0, /* negated: maxima -1 and -0 */ 1, 0, 0, 0, 0, 0, 0, 1]);
});
