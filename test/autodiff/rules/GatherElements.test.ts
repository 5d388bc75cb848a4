import { test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { checkJacobian, checkVjp } from '../gradcheck.ts';

const int64 = (g: b.Graph, values: number[], shape: number[]): b.Value => g.constant(b.fromNumbers('int64', values), 'int64', shape);

test('GatherElements: full Jacobian, repeats and a negative index, axis 0, float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3, 2] }], f: (x) => b.gatherElements(x, int64(x.graph, [2, 0, -1, 0], [2, 2]), 0) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('GatherElements: full Jacobian, axis 1 (picking one logit per row), float64', async (t) => {
  const r = await checkJacobian({ dtype: 'float64', inputs: [{ shape: [3, 4] }], f: (x) => b.gatherElements(x, int64(x.graph, [3, 0, 0], [3, 1]), 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});

test('GatherElements: directional check, float32', async (t) => {
  const r = await checkVjp({ inputs: [{ shape: [2, 5] }], f: (x) => b.gatherElements(x, int64(x.graph, [4, 4, 1, 0, 2, 3], [2, 3]), 1) });
  t.diagnostic(`max rel error ${r.maxRelError.toExponential(2)}`);
});
