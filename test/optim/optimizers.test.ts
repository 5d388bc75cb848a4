// Each optimizer's emitted update, run through onnxruntime-node for several steps with a varying learning
// rate and per-step gradients, against the float64 closed-form reference.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { type OptimizerConfig, defaultOptimizer, emitUpdate, stateSlots } from '../../src/optim/index.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';
import { type RefState, type Vec, referenceStep } from './reference.ts';

const LRS = [0.1, 0.05, 0.08, 0.02, 0.03, 0.06];

/** Two parameters: `a` [2, 3] with weight decay, `c` [3] without (a bias). */
const PARAMS = [
  { name: 'a', shape: [2, 3], decay: true, init: [0.9, -0.4, 0.25, -1.2, 0.6, 0.05] },
  { name: 'c', shape: [3], decay: false, init: [0.3, -0.7, 1.1] },
];

/** Deterministic per-step gradients of varying sign and scale. */
function gradient(k: number, n: number, t: number): Vec {
  return Array.from({ length: n }, (_, i) => Math.sin(1.3 * i + 0.7 * t + k) * (0.5 + 0.3 * i) + 0.05 * t);
}

const f32 = (v: Vec): HostTensor => ({ dtype: 'float32', dims: [v.length], data: Float32Array.from(v) });
const vec = (t: HostTensor | undefined): Vec => Array.from(t!.data, Number);

function assertClose(actual: Vec, expected: Vec, rtol: number, what: string): void {
  const floor = 1e-3 * Math.max(...expected.map(Math.abs));
  actual.forEach((a, i) => {
    const e = expected[i]!;
    const err = Math.abs(a - e) / Math.max(Math.abs(e), floor);
    assert.ok(err <= rtol, `${what}[${i}]: got ${a}, expected ${e} (relative error ${err.toExponential(2)})`);
  });
}

async function checkOptimizer(config: OptimizerConfig): Promise<void> {
  const g = new b.Graph();
  const lr = g.input('lr', 'float32', []);
  const step = g.input('step', 'float32', []);
  const slots = stateSlots(config);
  const outputs: Record<string, Value> = {};
  for (const p of PARAMS) {
    // Flat [n] inputs reshaped to the param's shape, so that rank-2 tensors are exercised.
    const n = p.init.length;
    const param = b.reshape(g.input(p.name, 'float32', [n]), p.shape);
    const grad = b.reshape(g.input(`${p.name}.grad`, 'float32', [n]), p.shape);
    const state: Partial<Record<(typeof slots)[number], Value>> = {};
    for (const s of slots) state[s] = b.reshape(g.input(`${p.name}.${s}`, 'float32', [n]), p.shape);
    const out = emitUpdate(config, { param, grad, state, lr, step, decay: p.decay });
    assert.deepEqual(Object.keys(out.state).sort(), [...slots].sort());
    outputs[`updated.${p.name}`] = b.reshape(out.param, [n]);
    for (const s of slots) outputs[`updated.${p.name}.${s}`] = b.reshape(out.state[s]!, [n]);
  }
  const session = await createCpuSession(b.serialize(g, { outputs }), { threads: 1 });

  const current = new Map<string, Vec>();
  const refParams = new Map<string, Vec>();
  const refStates = new Map<string, RefState>();
  for (const p of PARAMS) {
    current.set(p.name, p.init);
    for (const s of slots) current.set(`${p.name}.${s}`, p.init.map(() => 0));
    refParams.set(p.name, p.init);
    refStates.set(p.name, {});
  }
  for (const [i, lrValue] of LRS.entries()) {
    const t = i + 1;
    const feeds: Record<string, HostTensor> = {
      lr: { dtype: 'float32', dims: [], data: Float32Array.of(lrValue) },
      step: { dtype: 'float32', dims: [], data: Float32Array.of(t) },
    };
    for (const [name, v] of current) feeds[name] = f32(v);
    PARAMS.forEach((p, k) => { feeds[`${p.name}.grad`] = f32(gradient(k, p.init.length, t)); });
    const out = await runHost(session, feeds);
    PARAMS.forEach((p, k) => {
      const next = referenceStep(config, refParams.get(p.name)!, gradient(k, p.init.length, t), refStates.get(p.name)!, lrValue, t, p.decay);
      refParams.set(p.name, next);
      current.set(p.name, vec(out[`updated.${p.name}`]));
      for (const s of slots) current.set(`${p.name}.${s}`, vec(out[`updated.${p.name}.${s}`]));
    });
  }
  for (const p of PARAMS) {
    const got = current.get(p.name)!;
    const want = refParams.get(p.name)!;
    assertClose(got, want, 1e-5, `${config.kind} ${p.name}`);
    // The displacement from the start, so that small updates on large params are checked too.
    const moved = (v: Vec): Vec => v.map((x, i) => x - p.init[i]!);
    assert.ok(Math.max(...moved(want).map(Math.abs)) > 1e-3, `${config.kind} ${p.name}: the reference barely moves`);
    assertClose(moved(got), moved(want), 2e-4, `${config.kind} ${p.name} displacement`);
    for (const s of stateSlots(config)) assertClose(current.get(`${p.name}.${s}`)!, refStates.get(p.name)![s]!, 1e-5, `${config.kind} ${p.name}.${s}`);
  }
}

const sgd = defaultOptimizer('sgd');
const cases: [string, OptimizerConfig][] = [
  ['SGD plain', sgd],
  ['SGD momentum', { ...sgd, momentum: 0.9 }],
  ['SGD nesterov with weight decay', { ...sgd, momentum: 0.9, nesterov: true, weightDecay: 0.05 }],
  ['SGD momentum with dampening (first-step buffer)', { ...sgd, momentum: 0.8, dampening: 0.3, weightDecay: 0.01 }],
  ['Adam with L2', { ...defaultOptimizer('adam'), weightDecay: 0.02 }],
  ['AdamW', { ...defaultOptimizer('adamw'), weightDecay: 0.1, beta1: 0.8 }],
  ['RMSprop plain', defaultOptimizer('rmsprop')],
  ['RMSprop centered with momentum and weight decay', { ...defaultOptimizer('rmsprop'), centered: true, momentum: 0.5, weightDecay: 0.01 }],
  ['LARS', { ...defaultOptimizer('lars'), trustCoefficient: 0.02, weightDecay: 0.01 }],
  ['LARS without momentum', { ...defaultOptimizer('lars'), momentum: 0, trustCoefficient: 0.05 }],
];

for (const [name, config] of cases) test(`optimizer: ${name} matches the closed form over ${LRS.length} steps`, () => checkOptimizer(config));

test('optimizer: state slots follow PyTorch names', () => {
  assert.deepEqual(stateSlots(sgd), []);
  assert.deepEqual(stateSlots({ ...sgd, momentum: 0.9 }), ['momentum_buffer']);
  assert.deepEqual(stateSlots(defaultOptimizer('adamw')), ['exp_avg', 'exp_avg_sq']);
  assert.deepEqual(stateSlots({ ...defaultOptimizer('rmsprop'), momentum: 0.9, centered: true }), ['square_avg', 'momentum_buffer', 'grad_avg']);
  assert.deepEqual(stateSlots(defaultOptimizer('lars')), ['momentum_buffer']);
});

test('optimizer: defaults are PyTorch\'s', () => {
  assert.deepEqual(defaultOptimizer('adam'), { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  assert.equal(defaultOptimizer('adamw').weightDecay, 0.01);
  assert.equal(defaultOptimizer('rmsprop').alpha, 0.99);
  assert.equal(defaultOptimizer('lars').trustCoefficient, 0.001);
});
