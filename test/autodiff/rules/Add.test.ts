import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

test('Add: directional check with broadcasting', async () => {
  await checkVjp({ inputs: [{ shape: [2, 3, 4] }, { shape: [3, 1] }], f: (x, y) => b.add(x, y) });
});

test('Add: full Jacobian, float64, scalar operand', async () => {
  await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3] }, { shape: [] }], f: (x, y) => b.add(x, y) });
});
