import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';
import { gradFunction } from '../grad_values.ts';

const int64 = (g: b.Graph, values: number[], shape: number[]): b.Value => g.constant(b.fromNumbers('int64', values), 'int64', shape);

test('Gather: full Jacobian, rank-2 indices with repeats and a negative index, axis 0, float64', async (t) => {
  // rows [[0, 3], [-1, 0]] of a [4, 3] table: row 3 is taken twice (once as -1), row 0 twice, row 2 never.
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [4, 3] }], f: (x) => b.gather(x, int64(x.graph, [0, 3, -1, 0], [2, 2]), 0) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Gather: full Jacobian, rank-1 indices on the middle axis, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 4, 2] }], f: (x) => b.gather(x, int64(x.graph, [2, 0, 2], [3]), 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Gather: full Jacobian, scalar index on the last axis, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [2, 3] }], f: (x) => b.gather(x, int64(x.graph, [1], []), 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Gather: directional check, indices fed at run time (labels), float64', async (t) => {
  const r = await checkVjp({
    dtype: 'float64',
    inputs: [{ shape: [5, 3] }, { shape: [2, 3], dtype: 'int64', constant: true, data: [4, 1, 1, 0, 4, 4] }],
    f: (x, idx) => b.gather(x, idx, 0),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('Gather: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [3, 4] }], f: (x) => b.gather(x, int64(x.graph, [3, 1, 3], [3]), 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test("Gather: symbolic batch dim 'N', columns picked with repeats", async () => {
  const run = await gradFunction([{ shape: ['N', 3] }], (x) => b.gather(x, int64(x.graph, [2, 0, 2], [3]), 1));
  const { grads } = await run([{ dims: [2, 3], data: [1, 2, 3, 4, 5, 6] }]);
  assert.deepEqual(grads, [[1, 0, 2, 1, 0, 2]]);
});
