// build-graph: writes every file, the .onnx files load in onnxruntime-node and hold only ai.onnx ops,
// the manifest describes what the sessions see, init.safetensors holds every parameter and buffer.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildStage1 } from '../../graphs/stages.ts';
import { buildGraphs, serializeBuilt } from '../../src/build/build_graphs.ts';
import type { Manifest } from '../../src/build/manifest.ts';
import { decodeModel } from '../../src/onnx/decode.ts';
import { createCpuSession } from '../../src/runtime/session.ts';
import { decodeSafetensors } from '../../src/train/safetensors.ts';

const onlyStandardOps = (bytes: Uint8Array, what: string): void => {
  const model = decodeModel(bytes);
  assert.deepEqual(model.opsetImports.map((o) => o.domain), [''], what);
  const foreign = model.nodes.filter((n) => n.domain !== '' && n.domain !== 'ai.onnx');
  assert.deepEqual(foreign.map((n) => `${n.domain}:${n.opType}`), [], what);
};

test('buildGraphs writes loadable graphs, init.safetensors and a manifest', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'build-graph-'));
  try {
    const cfg = defaultModelConfig({ name: 'tiny', encoder: 'small_cnn', width: 8, inputSize: 16, inputChannels: 1, numClasses: 5, batchSize: 4 });
    await buildGraphs(cfg, dir, { seed: 3 });
    const files = (await readdir(dir)).sort();
    assert.deepEqual(files, ['baseline.onnx', 'embed.onnx', 'init.safetensors', 'logits.onnx', 'manifest.json', 'stage1.onnx', 'stage2.onnx', 'stage2_features.onnx']);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(manifest.config.encoder, 'small_cnn');
    assert.equal(manifest.parameterCounts.total, manifest.parameterCounts.encoder + manifest.parameterCounts.head + manifest.parameterCounts.classifier);
    for (const [name, entry] of Object.entries(manifest.graphs)) {
      const bytes = new Uint8Array(await readFile(join(dir, entry.file)));
      onlyStandardOps(bytes, name);
      const session = await createCpuSession(bytes, { threads: 1 });
      assert.deepEqual([...session.inputNames].sort(), entry.inputs.map((i) => i.name).sort(), name);
      assert.deepEqual([...session.outputNames].sort(), entry.outputs.map((o) => o.name).sort(), name);
    }
    assert.deepEqual(manifest.graphs.stage1!.feeds, ['images', 'labels']);
    assert.deepEqual(manifest.graphs.stage2_features!.feeds, ['features', 'labels']);
    assert.deepEqual(manifest.graphs.embed!.inputs.find((i) => i.name === 'images')!.shape, ['batch', 1, 16, 16]);
    assert.ok(manifest.graphs.stage2!.trainable.every((n) => n.startsWith('classifier.')));
    const init = decodeSafetensors(new Uint8Array(await readFile(join(dir, 'init.safetensors'))));
    assert.deepEqual([...init.tensors.keys()].sort(), manifest.parameters.map((p) => p.name).sort());
    assert.deepEqual(init.tensors.get('encoder.bn2.running_var')!.data, new Float32Array(8).fill(1));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('ResNet-18 (ImageNet stem, max-pool) and ResNet-50 stage-1 graphs hold only ai.onnx ops', () => {
  for (const cfg of [defaultModelConfig({ encoder: 'resnet18', stem: 'imagenet', inputSize: 64, batchSize: 4 }), defaultModelConfig({ encoder: 'resnet50', loss: 'max_margin', batchSize: 4 })]) {
    onlyStandardOps(serializeBuilt(buildStage1(cfg), cfg), cfg.encoder);
  }
});

test('the build-graph CLI writes artifacts/<name>/ from flags', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'build-graph-cli-'));
  try {
    const args = ['--import', './scripts/register-ts.mjs', 'scripts/build-graph.ts', '--model', 'small_cnn', '--width', '4', '--size', '8', '--channels', '1', '--loss', 'simclr', '--out', dir, '--graphs', 'embed', 'stage2_features'];
    const run = spawnSync(process.execPath, args, { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.deepEqual((await readdir(join(dir, 'small_cnn_simclr'))).sort(), ['embed.onnx', 'init.safetensors', 'manifest.json', 'stage2_features.onnx']);
    const manifest = JSON.parse(await readFile(join(dir, 'small_cnn_simclr', 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(manifest.config.loss, 'simclr');
    assert.equal(manifest.config.inputSize, 8);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
