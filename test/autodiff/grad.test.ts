// The driver (src/autodiff/grad.ts): accumulation of values used several times, stopGradient, unused
// inputs, undoing broadcasting, and symbolic batch dims, against gradients worked out by hand.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { GradError, RULES, grad } from '../../src/autodiff/index.ts';
import { assertClose, gradFunction } from './grad_values.ts';

const xs = [0.5, -1.25, 2, 0.75, -0.5, 1.5];

test('gradients of a value used several times are summed: d/dx sum(x*x + 3x + x) = 2x + 4', async () => {
  const run = await gradFunction([{ shape: [2, 3] }], (x) => b.add(b.add(b.mul(x, x), b.mul(x, 3)), x));
  const { grads } = await run([{ dims: [2, 3], data: xs }]);
  assertClose(grads[0]!, xs.map((v) => 2 * v + 4));
});

test('stopGradient blocks flow: d/dx sum(x * stop(x)) = x, and a loss only through stop(x) gives zeros', async () => {
  const run = await gradFunction([{ shape: [2, 3] }, { shape: [2, 3] }], (x, y) => b.add(b.mul(x, b.stopGradient(x)), b.mul(b.stopGradient(y), 2)));
  const { grads } = await run([{ dims: [2, 3], data: xs }, { dims: [2, 3], data: xs }]);
  assertClose(grads[0]!, xs);
  assertClose(grads[1]!, xs.map(() => 0));
});

test('the gradient with respect to an unused input is zeros of its shape', async () => {
  const g = new b.Graph();
  const x = g.input('x', 'float64', [2, 3]);
  const unused = g.input('unused', 'float64', [4, 1]);
  const [, du] = grad(b.reduceSum(b.mul(x, x), []), [x, unused]);
  assert.ok(du);
  assert.deepEqual(du.shape, [4, 1]);
  const run = await gradFunction([{ shape: [2, 3] }, { shape: [4, 1] }], (a) => b.mul(a, a));
  const { grads } = await run([{ dims: [2, 3], data: xs }, { dims: [4, 1], data: [1, 2, 3, 4] }]);
  assert.deepEqual(grads[1], [0, 0, 0, 0]);
});

test('broadcasting is undone across leading axes and size-1 axes', async () => {
  // loss = sum((x + y) * z), x [2, 3, 4], y [4], z [3, 1]:
  // dx[a,b,c] = z[b], dy[c] = 2 * sum(z), dz[b] = sum_{a,c} (x[a,b,c] + y[c])
  const x = Array.from({ length: 24 }, (_, i) => (i % 5) - 2 + i / 10);
  const y = [0.5, -1, 2, 0.25];
  const z = [1.5, -2, 0.5];
  const shapes = [[2, 3, 4], [4], [3, 1]];
  const g = new b.Graph();
  const [vx, vy, vz] = shapes.map((shape, i) => g.input(`v${i}`, 'float64', shape));
  const [gx, gy, gz] = grad(b.reduceSum(b.mul(b.add(vx!, vy!), vz!), []), [vx!, vy!, vz!]);
  assert.deepEqual([gx?.shape, gy?.shape, gz?.shape], shapes);
  const run = await gradFunction(shapes.map((shape) => ({ shape })), (vx, vy, vz) => b.mul(b.add(vx!, vy!), vz!));
  const { grads } = await run([{ dims: [2, 3, 4], data: x }, { dims: [4], data: y }, { dims: [3, 1], data: z }]);
  assertClose(grads[0]!, x.map((_, i) => z[Math.floor(i / 4) % 3]!));
  assertClose(grads[1]!, y.map(() => 2 * (z[0]! + z[1]! + z[2]!)));
  assertClose(grads[2]!, z.map((_, k) => x.reduce((s, v, i) => (Math.floor(i / 4) % 3 === k ? s + v + y[i % 4]! : s), 0)));
});

test('a loss that is not a scalar needs a seed', () => {
  const g = new b.Graph();
  const x = g.input('x', 'float32', [3]);
  assert.throws(() => grad(b.mul(x, x), [x]), GradError);
});

/** Plain-TS forward and backward of loss = sum(o^2), o = relu(x w1 + b1) w2, x [n, 4], w1 [4, 5], w2 [5, 3]. */
function mlpReference(x: number[], w1: number[], b1: number[], w2: number[], n: number): { loss: number; grads: number[][] } {
  const [I, H, O] = [4, 5, 3];
  const h = Array.from({ length: n * H }, (_, q) => b1[q % H]! + Array.from({ length: I }, (_, k) => x[Math.floor(q / H) * I + k]! * w1[k * H + (q % H)]!).reduce((s, v) => s + v, 0));
  const a = h.map((v) => Math.max(v, 0));
  const o = Array.from({ length: n * O }, (_, q) => Array.from({ length: H }, (_, j) => a[Math.floor(q / O) * H + j]! * w2[j * O + (q % O)]!).reduce((s, v) => s + v, 0));
  const dO = o.map((v) => 2 * v);
  const dH = h.map((v, q) => (v > 0 ? Array.from({ length: O }, (_, m) => dO[Math.floor(q / H) * O + m]! * w2[(q % H) * O + m]!).reduce((s, u) => s + u, 0) : 0));
  const sumN = (f: (r: number) => number): number => Array.from({ length: n }, (_, r) => f(r)).reduce((s, v) => s + v, 0);
  return {
    loss: o.reduce((s, v) => s + v * v, 0),
    grads: [
      w1.map((_, q) => sumN((r) => x[r * I + Math.floor(q / H)]! * dH[r * H + (q % H)]!)),
      b1.map((_, j) => sumN((r) => dH[r * H + j]!)),
      w2.map((_, q) => sumN((r) => a[r * H + Math.floor(q / O)]! * dO[r * O + (q % O)]!)),
    ],
  };
}

const seq = (n: number, scale: number, shift: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + shift) * scale);
const mlpInputs = [{ shape: ['N', 4], constant: true }, { shape: [4, 5] }, { shape: [5] }, { shape: [5, 3] }];

async function checkMlp(layer: (a: Value, w: Value) => Value): Promise<void> {
  const run = await gradFunction(mlpInputs, (x, w1, b1, w2) => {
    const o = layer(b.relu(b.add(layer(x!, w1!), b1!)), w2!);
    return b.mul(o, o);
  });
  const [w1, b1, w2] = [seq(20, 0.8, 1), seq(5, 0.3, 2), seq(15, 0.9, 3)];
  for (const n of [2, 7]) {
    const x = seq(4 * n, 1, n);
    const ref = mlpReference(x, w1, b1, w2, n);
    const got = await run([{ dims: [n, 4], data: x }, { dims: [4, 5], data: w1 }, { dims: [5], data: b1 }, { dims: [5, 3], data: w2 }]);
    assertClose(got.loss, [ref.loss], 1e-12, `loss (N=${n})`);
    ref.grads.forEach((gr, i) => assertClose(got.grads[i]!, gr, 1e-12, `grad ${i} (N=${n})`));
  }
}

test("symbolic batch dim 'N': an MLP of broadcast Mul + ReduceSum has exact gradients at N = 2 and N = 7", async () => {
  // [N, I] -> [N, I, 1] * [I, H] -> sum over I: the weight gradient sums over the symbolic leading axis.
  await checkMlp((a, w) => b.reduceSum(b.mul(b.unsqueeze(a, [2]), w), [1]));
});

test("symbolic batch dim 'N': the same MLP with MatMul", { skip: Object.hasOwn(RULES, 'MatMul') ? false : 'no MatMul rule registered yet' }, async () => {
  await checkMlp((a, w) => b.matmul(a, w));
});
