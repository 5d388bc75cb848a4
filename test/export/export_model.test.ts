import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { serialize } from '../../src/onnx/index.ts';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildEmbed, buildLogits } from '../../graphs/stages.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';
import { buildExportedModels, ExportError, specFromModelConfig } from '../../src/export/export_model.ts';
import { readExportedModel } from '../../src/export/read_model.ts';
import { validateMetadata } from '../../src/export/metadata.ts';
import { CNN_CLASSES, SMALL_CNN, exportSmallCnn, randomPixels, randomWeights, tempDir } from './fixtures.ts';

const MEAN = [0.49, 0.48, 0.45];
const STD = [0.25, 0.24, 0.26];

/** Host-side normalisation, as the training pipeline feeds the eval graphs. */
function normalise(pixels: Float32Array, n: number, c: number, s: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const ch = Math.floor(i / (s * s)) % c;
    out[i] = (pixels[i]! - MEAN[ch]!) / STD[ch]!;
  }
  return out;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

const f32 = (dims: number[], data: Float32Array): HostTensor => ({ dtype: 'float32', dims, data });

test('exported small CNN: files, metadata, checks, only ai.onnx ops, inference-mode BatchNorm', async () => {
  const dir = await tempDir('export');
  try {
    const result = await exportSmallCnn(dir);
    assert.deepEqual(result.checks?.classifier.runtimes, ['node', 'wasm']);
    assert.deepEqual(result.checks?.classifier.inputs, ['image']);
    assert.deepEqual(result.checks?.classifier.outputs, ['logits', 'probabilities']);
    assert.deepEqual(result.checks?.embedding.outputs, ['embedding']);
    const ops = result.checks?.classifier.opTypes ?? [];
    assert.ok(ops.includes('BatchNormalization') && ops.includes('Softmax') && ops.includes('Conv'), ops.join(','));
    assert.ok(!ops.includes('ReduceMean'), 'no training-mode BatchNorm');
    assert.deepEqual(result.unusedWeights, []);

    const files = await readExportedModel(dir);
    assert.deepEqual(files.metadata, result.metadata);
    assert.deepEqual(files.metadata.classes, CNN_CLASSES);
    assert.equal(files.metadata.inputSize, 16);
    assert.equal(files.metadata.embeddingDim, 16);
    assert.deepEqual(files.metadata.config, { encoder: 'small_cnn', width: 4, note: 'random weights' });
    const sidecar = validateMetadata(JSON.parse(await readFile(result.paths.sidecar, 'utf8')));
    assert.deepEqual(sidecar, result.metadata);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('exported logits equal the eval-mode logits graph of graphs/stages.ts (small CNN, batch 1 and 3)', async () => {
  const cfg = defaultModelConfig({ encoder: 'small_cnn', width: 4, inputSize: 16, numClasses: 5 });
  const weights = randomWeights(SMALL_CNN, { channels: 3, inputSize: 16, numClasses: 5 }, 3);
  const exported = buildExportedModels({ ...specFromModelConfig(cfg), weights, classes: CNN_CLASSES, mean: MEAN, std: STD, modelName: 'm' });
  const evalLogits = buildLogits(cfg);
  const evalBytes = serialize(evalLogits.graph, { outputs: evalLogits.outputs });
  const evalEmbed = buildEmbed({ ...cfg, head: 'none' });
  const embedBytes = serialize(evalEmbed.graph, { outputs: evalEmbed.outputs });
  const [model, embedModel, reference, referenceEmbed] = await Promise.all(
    [exported.classifier, exported.embedding, evalBytes, embedBytes].map((m) => createCpuSession(m, { threads: 1 })),
  );
  const feedsFor = (names: readonly string[]): Record<string, HostTensor> => {
    const feeds: Record<string, HostTensor> = {};
    for (const p of evalLogits.params.list) if (names.includes(p.name)) feeds[p.name] = f32([...p.shape], weights.get(p.name)!);
    return feeds;
  };
  for (const n of [1, 3]) {
    const pixels = randomPixels(n, 3, 16, 10 + n);
    const ours = await runHost(model!, { image: f32([n, 3, 16, 16], pixels) });
    const theirs = await runHost(reference!, { images: f32([n, 3, 16, 16], normalise(pixels, n, 3, 16)), ...feedsFor(reference!.inputNames) });
    const logits = ours['logits']!.data as Float32Array;
    assert.deepEqual(ours['logits']!.dims, [n, 5]);
    assert.ok(maxAbsDiff(logits, theirs['logits']!.data as Float32Array) < 1e-4, 'logits differ');
    // Non-trivial: the logits of different images differ, and softmax rows sum to 1.
    assert.ok(n === 1 || maxAbsDiff(logits.subarray(0, 5), logits.subarray(5, 10)) > 1e-3);
    const probs = ours['probabilities']!.data as Float32Array;
    for (let i = 0; i < n; i++) assert.ok(Math.abs(probs.subarray(i * 5, i * 5 + 5).reduce((a, v) => a + v, 0) - 1) < 1e-5);

    const emb = (await runHost(embedModel!, { image: f32([n, 3, 16, 16], pixels) }))['embedding']!.data as Float32Array;
    const raw = (await runHost(referenceEmbed!, { images: f32([n, 3, 16, 16], normalise(pixels, n, 3, 16)), ...feedsFor(referenceEmbed!.inputNames) }))['embedding']!.data as Float32Array;
    for (let i = 0; i < n; i++) {
      const row = raw.subarray(i * 16, i * 16 + 16);
      const norm = Math.hypot(...row);
      assert.ok(maxAbsDiff(emb.subarray(i * 16, i * 16 + 16), row.map((v) => v / norm)) < 1e-5, 'embedding = L2-normalised encoder output');
    }
  }
});

test('exported ResNet-18 (CIFAR stem, 32x32) logits equal the eval-mode logits graph', async () => {
  const cfg = defaultModelConfig({ encoder: 'resnet18', inputSize: 32, numClasses: 10 });
  const spec = specFromModelConfig(cfg);
  const weights = randomWeights(spec.encoder, { channels: 3, inputSize: 32, numClasses: 10 }, 5);
  const classes = Array.from({ length: 10 }, (_, i) => `c${i}`);
  const exported = buildExportedModels({ ...spec, weights, classes, mean: MEAN, std: STD, modelName: 'r18' });
  const evalLogits = buildLogits(cfg);
  const model = await createCpuSession(exported.classifier);
  const reference = await createCpuSession(serialize(evalLogits.graph, { outputs: evalLogits.outputs }));
  const feeds: Record<string, HostTensor> = {};
  for (const p of evalLogits.params.list) feeds[p.name] = f32([...p.shape], weights.get(p.name)!);
  const pixels = randomPixels(2, 3, 32, 99);
  const ours = (await runHost(model, { image: f32([2, 3, 32, 32], pixels) }))['logits']!.data as Float32Array;
  const theirs = (await runHost(reference, { ...feeds, images: f32([2, 3, 32, 32], normalise(pixels, 2, 3, 32)) }))['logits']!.data as Float32Array;
  assert.ok(maxAbsDiff(ours, theirs) < 1e-4, `max diff ${maxAbsDiff(ours, theirs)}`);
  assert.ok(maxAbsDiff(ours.subarray(0, 10), ours.subarray(10, 20)) > 1e-3);
});

test('export reports missing and mis-shaped weights by name', () => {
  const weights = randomWeights(SMALL_CNN, { channels: 3, inputSize: 16, numClasses: 5 });
  const base = { encoder: SMALL_CNN, encoderName: 'small_cnn', classes: CNN_CLASSES, inputSize: 16, channels: 3 as const, mean: MEAN, std: STD, modelName: 'm' };
  const missing = new Map(weights);
  missing.delete('encoder.bn2.running_var');
  assert.throws(() => buildExportedModels({ ...base, weights: missing }), (e: unknown) => e instanceof ExportError && /encoder\.bn2\.running_var/.test(e.message));
  const wrong = new Map(weights);
  wrong.set('classifier.bias', new Float32Array(3));
  assert.throws(() => buildExportedModels({ ...base, weights: wrong }), /classifier\.bias has 3 values/);
  const extra = new Map(weights);
  extra.set('head.0.weight', new Float32Array(4));
  assert.deepEqual(buildExportedModels({ ...base, weights: extra }).unusedWeights, ['head.0.weight']);
});
