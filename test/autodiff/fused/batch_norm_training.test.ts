// batchNormTraining: the closed-form gradient against finite differences, and against the chain rule
// through the same primitives (mean, centring, biased variance, scale, shift) without the closed form.

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import type { Value } from '../../../src/onnx/index.ts';
import { batchNormTraining } from '../../../src/autodiff/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { assertClose, gradFunction } from '../grad_values.ts';

/** The same forward from primitives only, differentiated by their rules. */
function primitiveBatchNorm(x: Value, gamma: Value, beta: Value, eps: number): Value {
  const c = x.shape[1] as number;
  const mean = b.reduceMean(x, [0, 2, 3], true);
  const centered = b.sub(x, mean);
  const variance = b.reduceMean(b.mul(centered, centered), [0, 2, 3], true);
  const scale = b.div(b.reshape(gamma, [1, c, 1, 1]), b.sqrt(b.add(variance, eps)));
  return b.add(b.mul(centered, scale), b.reshape(beta, [1, c, 1, 1]));
}

test('batchNormTraining: full Jacobian in x, gamma, beta, [2, 3, 2, 2], float64', async (t) => {
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [2, 3, 2, 2] }, { shape: [3] }, { shape: [3] }],
    f: (x, gamma, beta) => batchNormTraining(x!, gamma!, beta!, 1e-3).y,
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('batchNormTraining: directional check, [8, 4, 5, 5], float32', async (t) => {
  const r = await checkVjp({
    inputs: [{ shape: [8, 4, 5, 5] }, { shape: [4] }, { shape: [4] }],
    f: (x, gamma, beta) => batchNormTraining(x!, gamma!, beta!, 1e-5).y,
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('batchNormTraining: the closed form equals the primitives chain rule, and so does the forward', async () => {
  const shape = [3, 2, 3, 3];
  const data = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(0.7 * i + k) * (1 + (i % 5)));
  const fed = [{ dims: shape, data: data(54, 1) }, { dims: [2], data: [0.8, -1.3] }, { dims: [2], data: [0.1, 0.4] }];
  const weights = data(54, 2);
  const weighted = (y: Value): Value => b.mul(y, y.graph.constant(b.fromNumbers('float64', weights), 'float64', shape));
  const inputs = [{ shape }, { shape: [2] }, { shape: [2] }];
  const fused = await (await gradFunction(inputs, (x, g, be) => weighted(batchNormTraining(x!, g!, be!, 1e-5).y)))(fed);
  const chain = await (await gradFunction(inputs, (x, g, be) => weighted(primitiveBatchNorm(x!, g!, be!, 1e-5))))(fed);
  assertClose(fused.loss, chain.loss, 1e-12);
  fused.grads.forEach((gr, i) => assertClose(gr, chain.grads[i]!, 1e-10));
});
