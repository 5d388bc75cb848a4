// The page's trainer (web/train) in Node, where its parts can be checked against the project's own:
// its host loop over onnxruntime-web against StepRunner over onnxruntime-node, the WebGPU Concat
// lowering against the graph it rewrites, the base model it reads from an export against the weights
// exported, and its messages for the mistakes a person makes (too few photos, out of memory).

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildStage1 } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { Rng } from '../../src/data/rng.ts';
import * as b from '../../src/onnx/index.ts';
import { decodeModel } from '../../src/onnx/decode.ts';
import { initialState } from '../../src/runtime/init.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';
import { StepRunner, cpuSessionFactory } from '../../src/runtime/step_runner.ts';
import { architectureOf, baseModelFromExport } from '../../web/train/base_model.ts';
import { ViewBatches, imageSet, supconOrder } from '../../web/train/batches.ts';
import { checkClasses, heldOutIndices } from '../../web/train/classes.ts';
import { checkJobOptions } from '../../web/train/options.ts';
import { TrainError, stageFailure } from '../../web/train/errors.ts';
import { WebStepRunner } from '../../web/train/web_step_runner.ts';
import { splitWideConcats } from '../../web/train/webgpu_lowering.ts';
import { tempDir } from '../export/fixtures.ts';
import { maxAbsDiff } from './harness.ts';
import { PHOTO_CLASSES, SIZE, exportRunModel, photoPixels, runWeights } from './train_fixtures.ts';

const close = (a: number, b: number, tol = 1e-5): boolean => Math.abs(a - b) <= tol + 1e-4 * Math.abs(b);

describe('the page trainer in Node', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir('train-node');
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("the page's host loop (onnxruntime-web) takes the steps StepRunner takes on onnxruntime-node", async (t) => {
    const cfg = defaultModelConfig({ encoder: 'small_cnn', width: 4, inputSize: SIZE, numClasses: 3, featDim: 8, batchSize: 6, views: 2 });
    const built = buildStage1(cfg);
    const rng = new Rng(5);
    const labels = Int32Array.from({ length: 12 }, (_, i) => i % 3);
    const pixels = new Uint8Array(12 * SIZE * SIZE * 3);
    labels.forEach((c, i) => pixels.set(photoPixels(PHOTO_CLASSES[c]!, rng), i * SIZE * SIZE * 3));
    const format = { size: SIZE, channels: 3 as const, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const views = new ViewBatches(imageSet({ pixels, labels }, format), 'cropflip', format, 3);
    const batches = [...supconOrder(labels, 3, 0, 6), ...supconOrder(labels, 3, 1, 6)];
    assert.equal(batches.length, 4);
    const initial = initialState(built.params.list, built.optimizerState, 7);
    const bytes = serializeStep(built.graph, built);
    const web = await WebStepRunner.create(bytes, initial, { feeds: ['images', 'labels'], backend: 'wasm' });
    const node = await StepRunner.create(bytes, initial, { feeds: ['images', 'labels'], session: cpuSessionFactory({ threads: 1, lowering: false }) });
    const losses: [number, number][] = [];
    for (const [i, ids] of batches.entries()) {
      const feeds = await views.feeds(ids, i < 2 ? 0 : 1);
      assert.deepEqual(feeds.images!.dims, [12, 3, SIZE, SIZE]);
      losses.push([(await web.run(feeds, 0.05, i + 1)).loss, (await node.run(feeds, 0.05, i + 1)).loss]);
    }
    const [webState, nodeState] = [await web.state(), await node.state()];
    let worst = 0;
    for (const [name, v] of nodeState) worst = Math.max(worst, maxAbsDiff(webState.get(name)!, v.data as Float32Array));
    t.diagnostic(`losses (web, node): ${losses.map(([a, c]) => `${a.toFixed(6)}/${c.toFixed(6)}`).join(' ')}; max |state diff| ${worst.toExponential(2)}`);
    for (const [a, c] of losses) assert.ok(close(a, c), `loss ${a} vs ${c}`);
    assert.ok(worst < 1e-4, `state differs by ${worst}`);
    assert.ok(losses[3]![0] !== losses[0]![0], 'the steps change the model');
    await web.release();
    await node.release();
  });

  test('WebGPU lowering: wide Concats become trees of at most k inputs, with the same values', async () => {
    const g = new b.Graph();
    const xs = Array.from({ length: 11 }, (_, i) => g.input(`x${i}`, 'float32', [2, i + 1]));
    const y = b.mul(b.concat(xs, 1), 2);
    const lowered = splitWideConcats(g, { y }, 4);
    const widths = lowered.graph.nodes.filter((n) => n.op === 'Concat').map((n) => n.inputs.length);
    assert.ok(widths.every((w) => w <= 4), `concat widths ${widths.join(', ')}`);
    assert.deepEqual(lowered.outputs['y']!.shape, [2, 66]);
    const rng = new Rng(1);
    const feeds: Record<string, HostTensor> = Object.fromEntries(xs.map((x, i) => [x.name!, { dtype: 'float32', dims: [2, i + 1], data: Float32Array.from({ length: 2 * (i + 1) }, () => rng.normal()) }]));
    const run = async (bytes: Uint8Array): Promise<Float32Array> => {
      const session = await createCpuSession(bytes, { threads: 1 });
      try {
        return (await runHost(session, feeds))['y']!.data as Float32Array;
      } finally {
        await session.release();
      }
    };
    assert.deepEqual(await run(b.serialize(lowered.graph, { outputs: lowered.outputs })), await run(b.serialize(g, { outputs: { y } })));
    assert.equal(decodeModel(b.serialize(g, { outputs: { y } })).nodes.filter((n) => n.opType === 'Concat').length, 1);

    // A step graph: its gradient composites (the 3x3 ConvWeightGrad's 9 columns) are expanded, then split.
    const built = buildStage1(defaultModelConfig({ encoder: 'small_cnn', width: 4, inputSize: SIZE, numClasses: 3, featDim: 8, batchSize: 4, views: 2 }));
    const step = splitWideConcats(built.graph, built.outputs, 4);
    const nodes = decodeModel(b.serialize(step.graph, { outputs: step.outputs })).nodes;
    assert.deepEqual(nodes.filter((n) => n.opType.endsWith('Grad')).map((n) => n.opType), []);
    const concats = nodes.filter((n) => n.opType === 'Concat');
    assert.ok(concats.length > 0 && concats.every((n) => n.inputs.length <= 4), `concat widths ${concats.map((n) => n.inputs.length).join(', ')}`);
  });

  test("a run's export becomes a base model: its encoder's weights as exported, its architecture from the run's config", async () => {
    const exported = await exportRunModel(join(dir, 'base'));
    const base = baseModelFromExport(exported.classifier, exported.metadata);
    assert.equal(base.architecture.encoder, 'small_cnn');
    assert.equal(base.architecture.width, 4);
    assert.deepEqual([base.inputSize, base.channels], [SIZE, 3]);
    const encoder = [...runWeights()].filter(([name]) => name.startsWith('encoder.'));
    assert.equal(encoder.length, 5 + 5 * 4); // 5 convs without bias, 5 BatchNorms (weight, bias, running mean and variance)
    assert.deepEqual([...base.encoderWeights.keys()].sort(), encoder.map(([name]) => name).sort());
    for (const [name, data] of encoder) assert.deepEqual(base.encoderWeights.get(name), data, name);
    assert.throws(() => architectureOf({ note: 'hand-made' }), /does not say how the encoder is built \(encoder undefined/);
    assert.throws(() => architectureOf({ model: { encoder: 'small_cnn', width: 0 } }), /width 0/);
    assert.equal(architectureOf({ encoder: 'resnet18', width: 32, stem: 'imagenet', featDim: 64 }).featDim, 64);
    assert.throws(() => baseModelFromExport(Uint8Array.of(1, 2, 3), exported.metadata), (e: unknown) => e instanceof TrainError && /not an ONNX model this page can read/.test(e.message));
  });

  test('too few photos, unnamed or repeated classes are refused with the class named', () => {
    assert.throws(() => checkClasses(['cats'], Int32Array.of(0, 0)), /at least 2 classes \(there is 1\)/);
    assert.throws(() => checkClasses(['cats', 'dogs'], Int32Array.of(0, 0, 1)), /at least 2 training images: "dogs" has 1/);
    assert.throws(() => checkClasses(['cats', 'dogs', 'owls'], Int32Array.of(0, 0, 1, 1)), /"owls" has 0/);
    assert.throws(() => checkClasses(['cats', ' '], Int32Array.of(0, 0, 1, 1)), /a class has no name/);
    assert.throws(() => checkClasses(['cats', 'cats'], Int32Array.of(0, 0, 1, 1)), /"cats" used more than once/);
    checkClasses(['cats', 'dogs'], Int32Array.of(0, 1, 0, 1));
  });

  test('epochs, batch, learning rates and seed out of range are refused with the field named', () => {
    const stage2 = { epochs: 30, batchSize: 32, lr: 0.1 };
    const supcon = { epochs: 5, batchSize: 32, lr: 0.05, augmentation: 'cropflip' as const };
    checkJobOptions({ seed: 0, stage2, supcon });
    assert.throws(() => checkJobOptions({ seed: 0, stage2: { ...stage2, epochs: 0 } }), /^TrainError: Linear classifier: epochs must be a whole number from 1 to 10000, got 0$/);
    assert.throws(() => checkJobOptions({ seed: 0, stage2: { ...stage2, epochs: 2.5 } }), /epochs must be a whole number/);
    assert.throws(() => checkJobOptions({ seed: 0, stage2, supcon: { ...supcon, batchSize: 1 } }), /SupCon fine-tuning: the batch must be a whole number of at least 2, got 1/);
    assert.throws(() => checkJobOptions({ seed: 0, stage2, supcon: { ...supcon, lr: Number.NaN } }), /SupCon fine-tuning: the learning rate must be a number above 0, got nothing/);
    assert.throws(() => checkJobOptions({ seed: 0, stage2: { ...stage2, lr: -1 } }), /learning rate must be a number above 0, got -1/);
    assert.throws(() => checkJobOptions({ seed: -1, stage2 }), /the seed must be a whole number of at least 0, got -1/);
  });

  test('the held-out split takes its share, seeded, and always leaves 2 photos to train on', () => {
    assert.equal(heldOutIndices(10, 20, 1).size, 2);
    assert.deepEqual([...heldOutIndices(10, 20, 1)], [...heldOutIndices(10, 20, 1)]);
    assert.notDeepEqual([...heldOutIndices(50, 20, 1)].sort(), [...heldOutIndices(50, 20, 2)].sort());
    assert.equal(heldOutIndices(3, 50, 1).size, 1);
    assert.equal(heldOutIndices(2, 50, 1).size, 0);
    assert.ok([...heldOutIndices(10, 30, 4)].every((i) => i >= 0 && i < 10));
  });

  test('running out of WASM memory in a step becomes advice to use a smaller batch', async () => {
    // A "step" whose loss needs two 2 GiB tensors: more than the 4 GiB a WASM heap can hold.
    const g = new b.Graph();
    const w = g.input('w', 'float32', [1, 1]);
    const loss = b.reduceSum(b.exp(b.expand(w, [1 << 14, 1 << 15])), []);
    const bytes = b.serialize(g, { outputs: { loss, 'updated.w': b.mul(w, g.input('lr', 'float32', [])) } });
    const runner = await WebStepRunner.create(bytes, new Map([['w', { dtype: 'float32', dims: [1, 1], data: Float32Array.of(0) }]]), { feeds: [], backend: 'wasm' });
    const err: unknown = await runner.run({}, 0.1, 1).then(() => undefined, (e: unknown) => e);
    await runner.release();
    assert.ok(err, 'the step must fail');
    const shown = stageFailure(err, { stage: 'SupCon fine-tuning', backend: 'wasm', batchSize: 64 });
    assert.ok(shown instanceof TrainError && shown.kind === 'memory', String(err));
    assert.match(shown.message, /^Out of memory on wasm in SupCon fine-tuning at batch 64: try a smaller batch \(32\)\. \(.*bad_alloc/);
    assert.match(stageFailure(new Error('Conv: bad pads'), { stage: 'the linear classifier', backend: 'wasm', batchSize: 8 }).message, /^the linear classifier failed on wasm: Conv: bad pads$/);
  });
});
