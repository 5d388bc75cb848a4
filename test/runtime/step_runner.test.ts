import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { StepRunner } from '../../src/runtime/step_runner.ts';
import type { HostTensor } from '../../src/runtime/session.ts';

const f32 = (dims: number[], values: number[]): HostTensor => ({ dtype: 'float32', dims, data: Float32Array.from(values) });

/** A hand-written "step": w <- w - lr * step * x, loss = sum(w * x), with metric `twice`. */
function model(): Uint8Array {
  const g = new b.Graph();
  const w = g.input('w', 'float32', [3]);
  const x = g.input('x', 'float32', [3]);
  const lr = g.input('lr', 'float32', []);
  const step = g.input('step', 'float32', []);
  const loss = b.reduceSum(b.mul(w, x), []);
  return b.serialize(g, { outputs: { loss, twice: b.mul(loss, 2), 'updated.w': b.sub(w, b.mul(b.mul(x, lr), step)) } });
}

test('StepRunner: feeds lr and step, replaces X by updated.X, returns the other outputs', async () => {
  const runner = await StepRunner.create(model(), new Map([['w', f32([3], [1, 2, 3])]]), { feeds: ['x'] });
  const x = f32([3], [1, 0, -1]);
  const first = await runner.run({ x }, 0.5, 1);
  assert.equal(first.loss, -2);
  assert.deepEqual(Object.keys(first.outputs).sort(), ['loss', 'twice']);
  assert.equal(first.outputs.twice!.data[0], -4);
  const second = await runner.run({ x }, 0.25, 2); // w = [0.5, 2, 3.5]
  assert.equal(second.loss, -3);
  const state = await runner.state();
  assert.deepEqual(Array.from(state.get('w')!.data, Number), [0, 2, 4]); // [0.5, 2, 3.5] - 0.25 * 2 * x
});

test('StepRunner: a missing graph input is named at creation', async () => {
  await assert.rejects(
    () => StepRunner.create(model(), new Map(), { feeds: ['x'] }),
    /graph inputs neither fed per step nor held in state: w$/,
  );
  await assert.rejects(() => StepRunner.create(model(), new Map([['w', f32([3], [0, 0, 0])]]), { feeds: [] }), /neither fed.*: x$/);
});

test('StepRunner: wrong per-step feeds and unknown names are reported', async () => {
  const w = f32([3], [0, 0, 0]);
  await assert.rejects(() => StepRunner.create(model(), new Map([['w', w]]), { feeds: ['x', 'labels'] }), /not graph inputs: labels/);
  await assert.rejects(() => StepRunner.create(model(), new Map([['w', w], ['x', w]]), { feeds: ['x'] }), /both fed per step and held in state: x/);
  const runner = await StepRunner.create(model(), new Map([['w', w]]), { feeds: ['x'] });
  await assert.rejects(() => runner.run({}, 0.1, 1), /missing feeds \[x\]/);
  await assert.rejects(() => runner.run({ x: w, y: w }, 0.1, 1), /unexpected feeds \[y\]/);
});

test('StepRunner: an updated.X output without a state entry X is an error', async () => {
  const g = new b.Graph();
  const x = g.input('x', 'float32', [2]);
  const bytes = b.serialize(g, { outputs: { loss: b.reduceSum(x, []), 'updated.ghost': b.mul(x, 2) } });
  await assert.rejects(() => StepRunner.create(bytes, new Map(), { feeds: ['x'] }), /outputs without a state entry to update: updated.ghost/);
});

test('StepRunner: the state a run replaces is freed at once, not when V8 gets to it', async () => {
  const n = 20 * 2 ** 20; // 80 MB of float32: more than host_garbage.ts lets pile up
  const g = new b.Graph();
  const w = g.input('w', 'float32', [n]);
  const lr = g.input('lr', 'float32', []);
  g.input('step', 'float32', []);
  const runner = await StepRunner.create(b.serialize(g, { outputs: { loss: b.reduceSum(w, []), 'updated.w': b.sub(w, lr) } }), new Map([['w', { dtype: 'float32', dims: [n], data: new Float32Array(n) } as HostTensor]]), { feeds: [] });
  const held = new WeakRef((await runner.state()).get('w')!.data);
  await new Promise((resolve) => setImmediate(resolve)); // a WeakRef keeps its target for the job that made it
  await runner.run({}, 1, 1);
  assert.ok(held.deref() === undefined, 'the replaced state is still alive');
  await runner.release();
});
