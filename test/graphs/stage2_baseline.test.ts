// Stage 2 (frozen encoder, linear classifier), stage 2 on precomputed features, and the cross-entropy
// baseline on the small CNN: the loss falls, only what should train changes, accuracy is reported.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildBaseline, buildLogits, buildStage2, buildStage2Features } from '../../graphs/stages.ts';
import * as b from '../../src/onnx/index.ts';
import { initialState } from '../../src/runtime/init.ts';
import { createCpuSession, runHost } from '../../src/runtime/session.ts';
import { seeded } from './reference.ts';
import { int64, patternImages, trainFixedBatch } from './train_helpers.ts';

const cfg = defaultModelConfig({ encoder: 'small_cnn', width: 8, inputSize: 16, inputChannels: 1, numClasses: 3, batchSize: 12 });
const labels = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2];
const images = patternImages(labels, 1, 16, 5);
/** The mean of the last 3 losses is below `factor` times the first. */
const decreased = (losses: number[], factor = 0.8): boolean => losses.slice(-3).reduce((a, x) => a + x, 0) / 3 < factor * losses[0]!;

test('stage 2: frozen inference-mode encoder, only classifier.* trains, loss falls', async () => {
  const built = buildStage2(cfg);
  const updated = Object.keys(built.outputs).filter((k) => k.startsWith('updated.'));
  assert.ok(updated.length > 0 && updated.every((k) => k.startsWith('updated.classifier.')), updated.join(', '));
  const initial = initialState(built.params.list, built.optimizerState, 2);
  const before = Array.from(initial.get('encoder.conv3.weight')!.data as Float32Array);
  const { losses, last, runner } = await trainFixedBatch(built, { images, labels: int64(labels) }, 30, 1, initial);
  // A random frozen encoder gives weak features; the linear layer alone still fits them steadily.
  assert.ok(decreased(losses, 0.9), losses.join(' '));
  assert.ok(last.accuracy !== undefined && last.accuracy >= 0 && last.accuracy <= 1);
  const state = await runner.state();
  assert.deepEqual(Array.from(state.get('encoder.conv3.weight')!.data as Float32Array), before);
  assert.ok(Array.from(state.get('encoder.bn1.running_var')!.data as Float32Array).every((v) => v === 1), 'running stats untouched');
});

test('stage 2 on precomputed features: loss falls', async () => {
  const built = buildStage2Features(cfg);
  const rand = seeded(8);
  const dim = 4 * cfg.width;
  const features = { dtype: 'float32' as const, dims: [12, dim], data: Float32Array.from({ length: 12 * dim }, (_, i) => (i % dim === labels[Math.floor(i / dim)]! ? 1 : 0) + 0.2 * rand()) };
  const { losses, last } = await trainFixedBatch(built, { features, labels: int64(labels) }, 30, 0.5);
  assert.ok(decreased(losses), losses.join(' '));
  assert.equal(last.accuracy, 1);
});

test('baseline: encoder and classifier train end to end; the logits graph evaluates the result', async () => {
  const built = buildBaseline(cfg);
  assert.ok('updated.encoder.conv1.weight' in built.outputs && 'updated.encoder.bn1.running_mean' in built.outputs);
  const { losses, runner } = await trainFixedBatch(built, { images, labels: int64(labels) }, 30, 0.05);
  assert.ok(decreased(losses), losses.join(' '));

  const logits = buildLogits(cfg);
  const session = await createCpuSession(b.serialize(logits.graph, { outputs: logits.outputs }), { threads: 2 });
  const state = await runner.state();
  const feeds = Object.fromEntries(logits.params.list.map((p) => [p.name, state.get(p.name)!]));
  const out = await runHost(session, { ...feeds, images });
  assert.deepEqual(out.logits!.dims, [12, 3]);
  assert.ok(Array.from(out.logits!.data as Float32Array).every(Number.isFinite));
});
