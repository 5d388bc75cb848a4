// GlobalAveragePool: ORT's CPU EP has no double kernel, so float32 (eps 1e-3, rtol = atol = 2e-3).

import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('GlobalAveragePool: full Jacobian', async (t) => {
  const r = await checkJacobian({ inputs: [{ shape: [2, 2, 3, 2] }], f: (x) => b.globalAveragePool(x!) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('GlobalAveragePool: directional check', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [4, 8, 5, 5] }], f: (x) => b.globalAveragePool(x!) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
