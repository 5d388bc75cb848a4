// The assembled training step: output naming, optimizer against a closed form on a quadratic, buffers and
// frozen params, and end to end a tiny CNN whose cross-entropy falls under StepRunner.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import * as b from '../../src/onnx/index.ts';
import { Params } from '../../graphs/params.ts';
import { batchNorm2d, conv2d, linear, type LayerContext } from '../../graphs/layers.ts';
import { assembleTrainingStep, serializeStep } from '../../graphs/step.ts';
import { defaultOptimizer } from '../../src/optim/index.ts';
import { Rng } from '../../src/data/rng.ts';
import { initialState } from '../../src/runtime/init.ts';
import { StepRunner } from '../../src/runtime/step_runner.ts';
import type { HostTensor } from '../../src/runtime/session.ts';

/** Every node and opset import of the model is in the default (ai.onnx) domain. */
function assertOnlyAiOnnx(bytes: Uint8Array): void {
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  const foreign = (model.graph?.node ?? []).filter((n) => n.domain && n.domain !== 'ai.onnx').map((n) => `${n.opType}@${n.domain}`);
  assert.deepEqual(foreign, [], 'nodes outside ai.onnx');
  assert.deepEqual(model.opsetImport.map((o) => o.domain ?? ''), ['']);
}

const f32 = (dims: number[], values: ArrayLike<number>): HostTensor => ({ dtype: 'float32', dims, data: Float32Array.from(values) });

test('assembleTrainingStep: outputs, state and SGD momentum on a quadratic', async () => {
  // loss = sum((w + frozen - target)^2): dloss/dw = 2 (w + frozen - target); `frozen` is not trained.
  const g = new b.Graph();
  const params = new Params(g);
  const w = params.param('lin.weight', [2, 2], { kind: 'zeros' });
  const frozen = params.param('lin.frozen', [2, 2], { kind: 'ones' });
  const count = params.buffer('lin.count', [1], { kind: 'zeros' });
  params.updateBuffer(count, b.add(count, 1));
  const target = g.input('target', 'float32', [2, 2]);
  const d = b.sub(b.add(w, frozen), target);
  const loss = b.reduceSum(b.mul(d, d), []);
  const config = { ...defaultOptimizer('sgd'), momentum: 0.9, nesterov: true, weightDecay: 0.1 };
  const trainable = params.trainable((n) => n === 'lin.weight');
  const step = assembleTrainingStep({ params, loss, trainable, optimizer: config, metrics: { wsum: b.reduceSum(w, []) } });
  assert.deepEqual(Object.keys(step.outputs).sort(), ['loss', 'updated.lin.count', 'updated.lin.weight', 'updated.lin.weight.momentum_buffer', 'wsum']);
  assert.deepEqual(step.optimizerState, [{ name: 'lin.weight.momentum_buffer', shape: [2, 2] }]);
  assert.throws(() => assembleTrainingStep({ params, loss, trainable, optimizer: config }), /duplicate graph input lr/);

  const bytes = serializeStep(g, step, { stage: 'test' });
  assertOnlyAiOnnx(bytes);
  const meta = onnxProto.onnx.ModelProto.decode(bytes).metadataProps;
  assert.deepEqual(JSON.parse(meta.find((m) => m.key === 'optimizer_state')!.value!), step.optimizerState);

  const runner = await StepRunner.create(bytes, initialState(params.list, step.optimizerState, 1), { feeds: ['target'] });
  const tgt = [0.5, -1, 2, 3];
  let p = [0, 0, 0, 0];
  let buf = [0, 0, 0, 0];
  for (const [i, lr] of [0.1, 0.05, 0.2, 0.02].entries()) {
    const { loss: l, outputs } = await runner.run({ target: f32([2, 2], tgt) }, lr, i + 1);
    assert.ok(Math.abs(l - p.reduce((s, v, k) => s + (v + 1 - tgt[k]!) ** 2, 0)) < 1e-5);
    assert.ok(Math.abs(Number(outputs.wsum!.data[0]) - p.reduce((s, v) => s + v, 0)) < 1e-5);
    const grad = p.map((v, k) => 2 * (v + 1 - tgt[k]!) + 0.1 * v);
    buf = buf.map((m, k) => 0.9 * m + grad[k]!);
    p = p.map((v, k) => v - lr * (grad[k]! + 0.9 * buf[k]!));
  }
  const state = await runner.state();
  Array.from(state.get('lin.weight')!.data, Number).forEach((v, k) => assert.ok(Math.abs(v - p[k]!) < 1e-5, `w[${k}] ${v} vs ${p[k]}`));
  Array.from(state.get('lin.weight.momentum_buffer')!.data, Number).forEach((v, k) => assert.ok(Math.abs(v - buf[k]!) < 1e-5));
  assert.deepEqual(Array.from(state.get('lin.frozen')!.data, Number), [1, 1, 1, 1]);
  assert.deepEqual(Array.from(state.get('lin.count')!.data, Number), [4]);
});

test('end to end: a tiny CNN trained by the assembled step drives cross-entropy down 10x', async () => {
  const [n, classes, side, channels] = [16, 4, 8, 8];
  const g = new b.Graph();
  const params = new Params(g);
  const ctx: LayerContext = { params, training: true };
  const images = g.input('images', 'float32', [n, 1, side, side]);
  const oneHot = g.input('labels_one_hot', 'float32', [n, classes]);
  // conv 3x3 -> BN (batch statistics) -> ReLU -> global average pool -> linear; logits [N, classes].
  const features = b.relu(batchNorm2d(ctx, 'bn', conv2d(ctx, 'conv', images, 1, channels, { kernel: 3, padding: 1 }), channels));
  const logits = linear(ctx, 'fc', b.flatten(b.globalAveragePool(features), 1), channels, classes);
  const loss = b.neg(b.reduceMean(b.reduceSum(b.mul(oneHot, b.logSoftmax(logits, 1)), [1]), []));
  const step = assembleTrainingStep({ params, loss, trainable: params.trainable(), optimizer: { ...defaultOptimizer('adam'), weightDecay: 1e-4 }, metrics: { logits } });
  const bytes = serializeStep(g, step);
  assertOnlyAiOnnx(bytes);

  // Fixed random batch: each class a random template plus noise, labels 0..3 four times.
  const rng = new Rng(11);
  const templates = Array.from({ length: classes }, () => Array.from({ length: side * side }, () => rng.normal()));
  const labels = Array.from({ length: n }, (_, i) => i % classes);
  const pixels = labels.flatMap((c) => templates[c]!.map((v) => v + rng.normal()));
  const feeds = {
    images: f32([n, 1, side, side], pixels),
    labels_one_hot: f32([n, classes], labels.flatMap((c) => Array.from({ length: classes }, (_, k) => (k === c ? 1 : 0)))),
  };
  const initial = initialState(params.list, step.optimizerState, 5);
  const runner = await StepRunner.create(bytes, initial, { feeds: Object.keys(feeds) });
  const losses: number[] = [];
  for (let t = 1; t <= 50; t++) losses.push((await runner.run(feeds, 0.1, t)).loss);
  const [first, last] = [losses[0]!, losses.at(-1)!];
  assert.ok(Number.isFinite(last) && last * 10 < first, `loss ${first.toFixed(4)} -> ${last.toFixed(4)}: ${losses.map((l) => l.toFixed(3)).join(' ')}`);

  const state = await runner.state();
  for (const name of ['bn.running_mean', 'bn.running_var']) {
    const before = Array.from(initial.get(name)!.data, Number);
    const after = Array.from(state.get(name)!.data, Number);
    assert.ok(after.some((v, i) => Math.abs(v - before[i]!) > 1e-3), `${name} did not change`);
  }
  assert.ok((state.get('conv.weight.exp_avg_sq')!.data as Float32Array).some((v) => v > 0), 'optimizer state updated');
});
