// The model family: parameter counts equal PyTorch's (SupContrast resnet_big / torchvision without fc),
// state-dict names, and the inference-mode eval graph: a symbolic batch whose rows are independent.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildEmbed, buildLogits } from '../../graphs/stages.ts';
import * as b from '../../src/onnx/index.ts';
import { initialState } from '../../src/runtime/init.ts';
import { createCpuSession, runHost } from '../../src/runtime/session.ts';
import { patternImages } from './train_helpers.ts';

const encoderParams = (encoder: 'resnet18' | 'resnet34' | 'resnet50', stem: 'cifar' | 'imagenet'): number =>
  buildEmbed(defaultModelConfig({ encoder, stem })).params.count((n) => n.startsWith('encoder.'));

test('encoder parameter counts (3 input channels)', () => {
  assert.equal(encoderParams('resnet18', 'cifar'), 11_168_832);
  assert.equal(encoderParams('resnet50', 'cifar'), 23_500_352);
  assert.equal(encoderParams('resnet34', 'cifar'), 21_276_992);
  // torchvision's resnet18 / resnet50 minus their fc layers (11,689,512 - 513,000; 25,557,032 - 2,049,000).
  assert.equal(encoderParams('resnet18', 'imagenet'), 11_176_512);
  assert.equal(encoderParams('resnet50', 'imagenet'), 23_508_032);
});

test('state-dict names as SupContrast, MLP head 512 -> 512 -> 128', () => {
  const built = buildEmbed(defaultModelConfig({ encoder: 'resnet18' }));
  const shapes = new Map(built.params.list.map((p) => [p.name, p.shape]));
  assert.deepEqual(shapes.get('encoder.conv1.weight'), [64, 3, 3, 3]);
  assert.deepEqual(shapes.get('encoder.bn1.running_mean'), [64]);
  assert.deepEqual(shapes.get('encoder.layer1.0.conv1.weight'), [64, 64, 3, 3]);
  assert.deepEqual(shapes.get('encoder.layer2.0.shortcut.0.weight'), [128, 64, 1, 1]);
  assert.deepEqual(shapes.get('encoder.layer2.0.shortcut.1.running_var'), [128]);
  assert.equal(shapes.has('encoder.layer1.0.shortcut.0.weight'), false);
  assert.deepEqual(shapes.get('head.0.weight'), [512, 512]);
  assert.deepEqual(shapes.get('head.2.weight'), [128, 512]);
  assert.deepEqual(shapes.get('head.2.bias'), [128]);
  const r50 = buildEmbed(defaultModelConfig({ encoder: 'resnet50', inputChannels: 1 }));
  const s50 = new Map(r50.params.list.map((p) => [p.name, p.shape]));
  assert.deepEqual(s50.get('encoder.conv1.weight'), [64, 1, 3, 3]);
  assert.deepEqual(s50.get('encoder.layer1.0.shortcut.0.weight'), [256, 64, 1, 1]);
  assert.deepEqual(s50.get('encoder.layer4.2.conv3.weight'), [2048, 512, 1, 1]);
  assert.deepEqual(s50.get('head.0.weight'), [2048, 2048]);
});

test('eval graphs: symbolic batch, BN in inference mode (each row independent of the others), unit projections', async () => {
  for (const cfg of [
    defaultModelConfig({ encoder: 'small_cnn', width: 8, inputSize: 12, inputChannels: 1, numClasses: 4 }),
    defaultModelConfig({ encoder: 'resnet18', stem: 'imagenet', inputSize: 32, numClasses: 3 }),
  ]) {
    const embed = buildEmbed(cfg);
    const logits = buildLogits(cfg);
    assert.deepEqual(embed.outputs.embedding!.shape, ['batch', cfg.encoder === 'small_cnn' ? 32 : 512]);
    assert.deepEqual(logits.outputs.logits!.shape, ['batch', cfg.numClasses]);
    const params = initialState(embed.params.list, [], 3);
    const session = await createCpuSession(b.serialize(embed.graph, { outputs: embed.outputs }), { threads: 2 });
    const images = patternImages([0, 1, 2, 1, 0], cfg.inputChannels, cfg.inputSize, 9);
    const one = { ...images, dims: [1, ...images.dims.slice(1)], data: images.data.slice(0, images.data.length / 5) };
    const all = await runHost(session, { ...Object.fromEntries(params), images });
    const first = await runHost(session, { ...Object.fromEntries(params), images: one });
    const dim = first.embedding!.data.length;
    const rowOfAll = Array.from(all.embedding!.data.slice(0, dim), Number);
    Array.from(first.embedding!.data, Number).forEach((v, i) => assert.ok(Math.abs(v - rowOfAll[i]!) < 1e-5 * Math.max(1, Math.abs(v))));
    const p = Array.from(all.projection!.data.slice(0, 128), Number);
    assert.ok(Math.abs(Math.hypot(...p) - 1) < 1e-5, 'projection rows are unit vectors');
  }
});
