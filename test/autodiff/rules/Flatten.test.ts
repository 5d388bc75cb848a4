import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

test('Flatten: directional check, axes 0, 1 and 2, float64', async (t) => {
  for (const axis of [1, 2, 0]) {
    const r = await checkVjp({ dtype: 'float64', inputs: [{ shape: [2, 3, 4] }], f: (x) => b.flatten(x, axis) });
    t.diagnostic(`axis ${axis}: max rel error ${r.maxRelError.toExponential(2)}`);
  }
});

test('Flatten: full Jacobian, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 1, 3] }], f: (x) => b.mul(b.flatten(x, 1), x.graph.scalar(2, 'float64')) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test("Flatten: symbolic batch dim 'N' (the gradient is reshaped at run time)", async () => {
  const w = [1, -2, 3, -4, 5, -6];
  const run = await gradFunction([{ shape: ['N', 2, 3] }], (x) => b.mul(b.flatten(x, 1), x.graph.constant(b.fromNumbers('float64', w), 'float64', [6])));
  const { grads } = await run([{ dims: [2, 2, 3], data: Array.from({ length: 12 }, (_, i) => i) }]);
  assert.deepEqual(grads, [[...w, ...w]]);
});
