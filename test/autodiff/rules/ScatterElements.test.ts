import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

const int64 = (g: b.Graph, values: number[], shape: number[]): b.Value => g.constant(b.fromNumbers('int64', values), 'int64', shape);

test("ScatterElements: full Jacobian, reduction 'none' (distinct targets), axis 0, float64", async (t) => {
  // column j of updates goes to rows idx[:, j] of data; each column's targets are distinct.
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [3, 3] }, { shape: [2, 3] }],
    f: (data, updates) => b.scatterElements(data, int64(data.graph, [1, 0, 2, 0, 2, -2], [2, 3]), updates, 0),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test("ScatterElements: full Jacobian, reduction 'add' with repeated targets, axis 1, float64", async (t) => {
  const r = await checkJacobian({
    dtype: 'float64',
    inputs: [{ shape: [2, 3] }, { shape: [2, 2] }],
    f: (data, updates) => b.scatterElements(data, int64(data.graph, [1, 1, 0, 2], [2, 2]), updates, 1, 'add'),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test("ScatterElements: directional check, reduction 'none', indices fed at run time, float64", async (t) => {
  const r = await checkVjp({
    dtype: 'float64',
    inputs: [{ shape: [2, 5] }, { shape: [2, 3], dtype: 'int64', constant: true, data: [4, 0, 2, 1, 3, 0] }, { shape: [2, 3] }],
    f: (data, idx, updates) => b.scatterElements(data, idx, updates, 1),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test("ScatterElements: directional check, reduction 'add', float32", async (t) => {
  const r = await checkVjp({
    inputs: [{ shape: [4, 2] }, { shape: [3, 2] }],
    f: (data, updates) => b.scatterElements(data, int64(data.graph, [3, 0, 3, 0, 1, 1], [3, 2]), updates, 0, 'add'),
  });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
