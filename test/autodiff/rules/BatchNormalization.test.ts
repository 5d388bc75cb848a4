// Inference-mode BatchNormalization: gradients for x, scale and bias; the running mean and variance
// are fed as constants (no gradient). Variances kept in [0.5, 1.5].

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { grad } from '../../../src/autodiff/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

const variance = (n: number): number[] => Array.from({ length: n }, (_, i) => 0.5 + i / n);

test('BatchNormalization: full Jacobian, [N, C, H, W], float64', async (t) => {
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [2, 3, 2, 2] }, { shape: [3] }, { shape: [3] }, { shape: [3], constant: true }, { shape: [3], constant: true, data: variance(3) }],
    f: (x, s, bias, m, v) => b.batchNormInference(x!, s!, bias!, m!, v!, 1e-3),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('BatchNormalization: directional check, [N, C], float32', async (t) => {
  const r = await checkVjp({
    inputs: [{ shape: [8, 5] }, { shape: [5] }, { shape: [5] }, { shape: [5], constant: true }, { shape: [5], constant: true, data: variance(5) }],
    f: (x, s, bias, m, v) => b.batchNormInference(x!, s!, bias!, m!, v!),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('BatchNormalization: training mode has no rule and says so', () => {
  const g = new b.Graph();
  const [x, s, bias, m, v] = [g.input('x', 'float32', [2, 3]), ...['s', 'b', 'm', 'v'].map((n) => g.input(n, 'float32', [3]))];
  const [y] = g.addNode('BatchNormalization', [x, s, bias, m, v], { epsilon: 1e-5, momentum: 0.9, training_mode: 1 }, [{ dtype: 'float32', shape: [2, 3] }]);
  assert.throws(() => grad(b.reduceSum(y!, []), [x]), /training-mode BatchNormalization/);
});
