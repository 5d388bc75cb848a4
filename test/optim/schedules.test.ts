import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ScheduleConfig, learningRate } from '../../src/optim/schedules.ts';

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${what}: ${a} vs ${b}`);

test('schedules: constant', () => {
  for (const s of [0, 5, 99]) assert.equal(learningRate({ kind: 'constant' }, 0.1, s, 100, 10), 0.1);
});

test('schedules: cosine end points, midpoint and minimum', () => {
  const cfg: ScheduleConfig = { kind: 'cosine', minFactor: 1e-3 };
  close(learningRate(cfg, 0.5, 0, 1000, 10), 0.5, 'start');
  close(learningRate(cfg, 0.5, 500, 1000, 10), (0.5 + 0.5e-3) / 2, 'middle');
  close(learningRate(cfg, 0.5, 1000, 1000, 10), 0.5e-3, 'end');
  close(learningRate(cfg, 0.5, 250, 1000, 10), 0.5e-3 + (0.5 - 0.5e-3) * (1 + Math.SQRT1_2) / 2, 'quarter');
  close(learningRate(cfg, 0.5, 2000, 1000, 10), 0.5e-3, 'past the end stays at the minimum');
  assert.ok(learningRate(cfg, 0.5, 999, 1000, 10) > 0.5e-3);
});

test('schedules: linear warmup ramps to the schedule value and joins it', () => {
  const cfg: ScheduleConfig = { kind: 'cosine', minFactor: 0, warmup: { steps: 100, startFactor: 0.02 } };
  const target = (1 + Math.cos((Math.PI * 100) / 1000)) / 2; // schedule value at step 100, baseLr 1
  close(learningRate(cfg, 1, 0, 1000, 50), 0.02, 'warmup start');
  close(learningRate(cfg, 1, 50, 1000, 50), 0.02 + 0.5 * (target - 0.02), 'warmup middle');
  close(learningRate(cfg, 1, 100, 1000, 50), target, 'warmup end');
  close(learningRate(cfg, 1, 99, 1000, 50), 0.02 + 0.99 * (target - 0.02), 'last warmup step');
  close(learningRate({ kind: 'constant', warmup: { steps: 10 } }, 0.4, 0, 100, 10), 0.004, 'default start factor 0.01');
  close(learningRate({ kind: 'constant', warmup: { steps: 10 } }, 0.4, 5, 100, 10), 0.004 + 0.5 * (0.4 - 0.004), 'constant warmup');
});

test('schedules: step decay at epoch milestones', () => {
  const cfg: ScheduleConfig = { kind: 'step', milestones: [3, 6], gamma: 0.1 };
  // 10 steps per epoch: epochs 0-2 at baseLr, 3-5 at 0.1x, 6+ at 0.01x.
  close(learningRate(cfg, 0.5, 29, 100, 10), 0.5, 'last step of epoch 2');
  close(learningRate(cfg, 0.5, 30, 100, 10), 0.05, 'first step of epoch 3');
  close(learningRate(cfg, 0.5, 59, 100, 10), 0.05, 'epoch 5');
  close(learningRate(cfg, 0.5, 60, 100, 10), 0.005, 'epoch 6');
});

test('schedules: exponential per epoch', () => {
  const cfg: ScheduleConfig = { kind: 'exponential', gamma: 0.9 };
  close(learningRate(cfg, 0.2, 0, 100, 7), 0.2, 'epoch 0');
  close(learningRate(cfg, 0.2, 6, 100, 7), 0.2, 'end of epoch 0');
  close(learningRate(cfg, 0.2, 7, 100, 7), 0.18, 'epoch 1');
  close(learningRate(cfg, 0.2, 35, 100, 7), 0.2 * 0.9 ** 5, 'epoch 5');
});

test('schedules: rejects nonsense arguments', () => {
  assert.throws(() => learningRate({ kind: 'constant' }, 0.1, 0, 0, 10), /totalSteps/);
  assert.throws(() => learningRate({ kind: 'constant' }, 0.1, -1, 10, 10), /step/);
});

test('schedules: a warm-up that does not end within the run is an error, never a silent ramp down', () => {
  // The run: 70 steps, 100 warm-up steps; the ramp's target would be the cosine minimum.
  assert.throws(() => learningRate({ kind: 'cosine', minFactor: 0.001, warmup: { steps: 100 } }, 0.1, 0, 70, 7), /warm-up of 100 steps does not end within the run's 70 steps/);
  assert.ok(learningRate({ kind: 'cosine', minFactor: 0.001, warmup: { steps: 7 } }, 0.1, 6, 70, 7) > 0.08, 'a warm-up inside the run reaches ~lr');
});
