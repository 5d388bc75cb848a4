import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { oneMinusPow } from '../../src/optim/bias_correction.ts';
import { createCpuSession, runHost } from '../../src/runtime/session.ts';

test('oneMinusPow: 1 - beta^t to float32 precision for small and large t', async () => {
  const steps = [1, 2, 3, 7, 50, 100, 101, 1000, 5000, 100000];
  const betas = [0.9, 0.99, 0.999, 0.9999];
  const g = new b.Graph();
  const step = g.input('step', 'float32', [steps.length]);
  const outputs = Object.fromEntries(betas.map((beta, i) => [`c${i}`, oneMinusPow(step, beta)]));
  assert.equal(oneMinusPow(step, 0.9), outputs.c0, 'cached per (step, beta)');
  const session = await createCpuSession(b.serialize(g, { outputs }), { threads: 1 });
  const out = await runHost(session, { step: { dtype: 'float32', dims: [steps.length], data: Float32Array.from(steps) } });
  betas.forEach((beta, i) => {
    Array.from(out[`c${i}`]!.data, Number).forEach((got, k) => {
      const want = 1 - beta ** steps[k]!;
      assert.ok(Math.abs(got - want) / want < 2e-6, `beta ${beta}, t ${steps[k]}: ${got} vs ${want}`);
    });
  });
});
