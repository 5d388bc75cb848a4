// Imported encoders without shared files: our own ResNet-18, exported in eval form (BatchNormalization
// kept), imported back equals our encoder in the forward pass and in one SupCon step (parameters,
// BatchNorm running statistics, loss); an exporter-style network (test/onnx/import/fixtures.ts) trains
// with gradients that pass a directional check; --freeze keeps what it names out of the step.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ModelConfig, defaultModelConfig, encoderConfig } from '../../graphs/config.ts';
import { registerOnnxEncoder } from '../../graphs/encoders/onnx.ts';
import { FreezeError } from '../../graphs/freeze.ts';
import { type BuiltGraph, buildEmbed, buildStage1 } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import * as b from '../../src/onnx/index.ts';
import { readOnnxModel } from '../../src/onnx/import/index.ts';
import { buildExportedModels, encoderFromConfig } from '../../src/export/export_model.ts';
import { initialState } from '../../src/runtime/init.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';
import { randomWeights } from '../export/fixtures.ts';
import { mobileLike } from '../onnx/import/fixtures.ts';
import { PLAIN_SGD, checkStepGradient } from './step_gradients.ts';
import { int64, patternImages } from './train_helpers.ts';

const native = defaultModelConfig({ encoder: 'resnet18', inputSize: 16, inputChannels: 3, numClasses: 3, featDim: 8, batchSize: 4 });
const weights = randomWeights(encoderFromConfig(encoderConfig(native)), { channels: 3, inputSize: 16, numClasses: 3 });
// mean 0 and std 1: the exported model's preprocessing is then x itself, as the encoder's input is.
const exported = buildExportedModels({
  encoder: encoderFromConfig(encoderConfig(native)), encoderName: 'resnet18', weights, classes: ['a', 'b', 'c'],
  inputSize: 16, channels: 3, mean: [0, 0, 0], std: [1, 1, 1], modelName: 'roundtrip',
});
registerOnnxEncoder('onnx:roundtrip.onnx', readOnnxModel(exported.classifier, 'roundtrip.onnx'));
const imported: ModelConfig = { ...native, encoder: 'onnx:roundtrip.onnx' };

const tensor = (data: Float32Array, dims: readonly number[]): HostTensor => ({ dtype: 'float32', dims: [...dims], data });

/** Runs the graph's outputs once on `feeds` plus the parameters, buffers and optimizer state of `state` it takes. */
async function runOnce(built: BuiltGraph, feeds: Record<string, HostTensor>, state: ReadonlyMap<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const bytes = built.step ? serializeStep(built.graph, { outputs: built.outputs, optimizerState: built.optimizerState }) : b.serialize(built.graph, { outputs: built.outputs });
  const session = await createCpuSession(bytes, { threads: 2 });
  try {
    const taken = Object.fromEntries(built.graph.inputs.filter((v) => state.has(v.name!)).map((v) => [v.name!, state.get(v.name!)!]));
    return await runHost(session, { ...feeds, ...taken });
  } finally {
    await session.release();
  }
}

/** The exported weights, with whatever else `built` declares (the head) from its seeded init. */
function stateFor(built: BuiltGraph): Map<string, HostTensor> {
  const state = initialState(built.params.list, built.optimizerState, 3);
  for (const p of built.params.list) {
    const w = weights.get(p.name);
    if (w) state.set(p.name, tensor(w, p.shape));
  }
  return state;
}

const names = (built: BuiltGraph): string[] => built.params.list.map((p) => `${p.name}:${p.role}`).sort();

function maxRelative(got: HostTensor, want: HostTensor): number {
  const scale = Array.from(want.data, Number).reduce((m, v) => Math.max(m, Math.abs(v)), 0) || 1;
  return Array.from(want.data, Number).reduce((m, v, i) => Math.max(m, Math.abs(Number(got.data[i]) - v) / scale), 0);
}

describe('imported encoders', () => {
  test('our ResNet-18, exported and imported back: the same parameters, buffers and features', async (t) => {
    const [a, c] = [buildEmbed({ ...native, head: 'none' }), buildEmbed({ ...imported, head: 'none' })];
    assert.deepEqual(names(c), names(a));
    assert.equal(c.params.list.filter((p) => p.role === 'buffer').length, 40, '20 BatchNorm layers, each with its running statistics');
    const images = patternImages([0, 1, 2, 0, 1], 3, 16, 5);
    const [want, got] = [await runOnce(a, { images }, stateFor(a)), await runOnce(c, { images }, stateFor(c))];
    const diff = maxRelative(got.embedding!, want.embedding!);
    t.diagnostic(`features [5, 512]: max difference ${diff.toExponential(1)} of their largest magnitude`);
    assert.ok(diff < 1e-5, `${diff}`);
  });

  test('our ResNet-18 imported back: one SupCon step updates parameters and BatchNorm statistics as our own encoder does', async (t) => {
    const [a, c] = [buildStage1(native), buildStage1(imported)];
    assert.deepEqual(Object.keys(c.outputs).sort(), Object.keys(a.outputs).sort());
    const labels = [0, 1, 2, 0];
    const views = [patternImages(labels, 3, 16, 1), patternImages(labels, 3, 16, 2)];
    const feeds = {
      images: tensor(Float32Array.from([...(views[0]!.data as Float32Array), ...(views[1]!.data as Float32Array)]), [8, 3, 16, 16]),
      labels: int64(labels),
      lr: tensor(Float32Array.of(0.05), []),
      step: tensor(Float32Array.of(1), []),
    };
    const [want, got] = [await runOnce(a, feeds, stateFor(a)), await runOnce(c, feeds, stateFor(c))];
    let worst = 0;
    for (const name of Object.keys(want)) {
      const diff = maxRelative(got[name]!, want[name]!);
      worst = Math.max(worst, diff);
      assert.ok(diff < 1e-5, `${name}: ${diff}`);
    }
    const moved = maxRelative(got['updated.encoder.layer4.1.bn2.running_mean']!, stateFor(a).get('encoder.layer4.1.bn2.running_mean')!);
    assert.ok(moved > 1e-3, 'the running mean moved');
    t.diagnostic(`loss ${Number(want.loss!.data[0]).toFixed(4)}; ${Object.keys(want).length} outputs agree to ${worst.toExponential(1)} of each one's largest magnitude`);
  });

  test('an exporter-style network (folded BatchNorm, HardSwish, squeeze-excite, kept BatchNormalization) trains: its step gradient passes a directional check', async (t) => {
    registerOnnxEncoder('onnx:mobile.onnx', readOnnxModel(mobileLike(14), 'mobile.onnx'));
    const cfg = defaultModelConfig({ encoder: 'onnx:mobile.onnx', inputSize: 12, inputChannels: 3, numClasses: 5, featDim: 8, batchSize: 4, optimizer: PLAIN_SGD });
    const built = buildStage1(cfg);
    assert.ok('updated.encoder.head.bn.running_var' in built.outputs, 'the kept BatchNormalization trains with batch statistics and updates its running ones');
    assert.ok('updated.encoder.stem.0.bias' in built.outputs, 'the folded Conv bias is a parameter');
    const labels = [0, 1, 0, 1];
    const images = tensor(Float32Array.from([...(patternImages(labels, 3, 12, 3).data as Float32Array), ...(patternImages(labels, 3, 12, 4).data as Float32Array)]), [8, 3, 12, 12]);
    const check = await checkStepGradient(built, { images, labels: int64(labels) }, initialState(built.params.list, built.optimizerState, 1));
    t.diagnostic(`loss ${check.loss.toFixed(4)}: <t, g> ${check.analytic.toExponential(4)} vs central difference ${check.numeric.toExponential(4)} (eps ${check.eps.toExponential(1)}), relative error ${check.relError.toExponential(1)}`);
    assert.ok(Math.abs(check.analytic) > 1e-3, 'a gradient to check');
    assert.ok(check.relError < 1e-2, `${check.relError}`);
  });

  test('--freeze: frozen parameters get no update, BatchNorm statistics still move; patterns that match nothing or everything are errors', () => {
    const built = buildStage1({ ...imported, freeze: ['encoder', '!encoder.layer4'] });
    const updated = Object.keys(built.outputs).filter((k) => k.startsWith('updated.') && !k.includes('momentum_buffer'));
    assert.ok(updated.includes('updated.encoder.layer4.1.conv2.weight') && updated.includes('updated.head.2.weight'));
    assert.ok(!updated.includes('updated.encoder.conv1.weight') && !updated.includes('updated.encoder.layer3.0.bn1.weight'));
    assert.ok(updated.includes('updated.encoder.layer1.0.bn1.running_mean'), 'running statistics follow the batches, as in PyTorch');
    assert.throws(() => buildStage1({ ...imported, freeze: ['encoder.layer9'] }), (err: unknown) => err instanceof FreezeError && /--freeze encoder\.layer9 matches no parameter; the modules are encoder\.conv1, .*encoder\.layer4, head\.0, head\.2/.test(err.message));
    assert.throws(() => buildStage1({ ...imported, freeze: ['*'] }), /--freeze \* freezes every parameter: nothing would train/);
  });
});
