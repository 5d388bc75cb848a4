// The label-aware memory queue: SupCon over batch + queue against a float64 reference (empty slots,
// SimCLR's negatives-only rows); FIFO contents and the momentum encoder's EMA after real steps; the
// chunked step with a queue equal to the fused one; and a runner restarted from its saved state (queue
// and momentum encoder included) continuing exactly as one that never stopped.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { type ModelConfig, defaultModelConfig } from '../../graphs/config.ts';
import { EMPTY_SLOT, NEGATIVE_ONLY, supConViewMajor } from '../../graphs/losses/supcon.ts';
import { MOMENTUM_PREFIX, QUEUE_FEATURES, QUEUE_LABELS } from '../../graphs/queue.ts';
import { stage1Recipe } from '../../graphs/recipes.ts';
import { splitStep } from '../../graphs/split_step.ts';
import { buildStage1, context, fusedStep, imagesInput } from '../../graphs/stages.ts';
import { type HostTensor, createCpuSession, runHost } from '../../src/runtime/session.ts';
import { decodeSafetensors, encodeSafetensors } from '../../src/train/safetensors.ts';
import { runLoss, scaledDiff } from './loss_harness.ts';
import { type Matrix, numericGrad, seeded, supConMemoryRef, unitRows } from './reference.ts';
import { floats, int64, patternImages, stackViews, startState, stepperFor, withoutBatchNorm } from './train_helpers.ts';

test('SupCon with a memory: the float64 reference, empty slots left out, SimCLR rows as negatives only', async () => {
  const rand = seeded(5);
  const z = unitRows(8, 4, rand);
  const memory = unitRows(6, 4, rand);
  const cases: { labels: number[] | undefined; memoryLabels: number[] }[] = [
    { labels: [0, 1, 2, 0], memoryLabels: [1, 2, EMPTY_SLOT, 0, 3, EMPTY_SLOT] },
    { labels: [0, 1, 2, 0], memoryLabels: new Array<number>(6).fill(EMPTY_SLOT) },
    { labels: undefined, memoryLabels: [NEGATIVE_ONLY, NEGATIVE_ONLY, EMPTY_SLOT, NEGATIVE_ONLY, EMPTY_SLOT, NEGATIVE_ONLY] },
  ];
  for (const c of cases) {
    const result = await runLoss({
      dtype: 'float64', shape: [8, 4], data: z.flat(), ...(c.labels ? { labels: c.labels } : {}),
      build: (x, labels) => {
        const g = x.graph;
        const features = g.constant(Float64Array.from(memory.flat()), 'float64', [6, 4]);
        const memoryLabels = g.constant(BigInt64Array.from(c.memoryLabels, BigInt), 'int64', [6]);
        return { loss: supConViewMajor(x, 2, labels, { temperature: 0.2 }, { features, labels: memoryLabels }) };
      },
    });
    const ref = (zz: Matrix): number => supConMemoryRef(zz, 2, c.labels, memory, c.memoryLabels, 0.2);
    assert.ok(Math.abs(result.loss - ref(z)) < 1e-9, `loss ${result.loss} vs ${ref(z)}`);
    assert.ok(scaledDiff(result.grad, numericGrad(ref, z).flat()) < 1e-6, 'gradient');
  }
});

const labels = [0, 1, 0, 1];
const base = (o: Partial<ModelConfig>): ModelConfig =>
  defaultModelConfig({ encoder: 'small_cnn', width: 4, inputSize: 8, inputChannels: 1, numClasses: 2, featDim: 4, batchSize: 4, queueSize: 12, ...o });
const batch = (seed: number): Record<string, HostTensor> => ({ images: stackViews([0, 1].map((v) => patternImages(labels, 1, 8, 10 * seed + v))), labels: int64(labels) });

/** Training-mode projections of `images` under `state`'s parameters (what a momentum encoder at those parameters yields). */
async function projections(cfg: ModelConfig, state: ReadonlyMap<string, HostTensor>, images: HostTensor): Promise<number[]> {
  const ctx = context(true);
  const z = stage1Recipe(cfg).tower(ctx, imagesInput(ctx, cfg, images.dims[0]!));
  const session = await createCpuSession(b.serialize(ctx.params.graph, { outputs: { z }, pruneInputs: true }), { threads: 1 });
  const feeds: Record<string, HostTensor> = { images };
  for (const name of session.inputNames) if (name !== 'images') feeds[name] = state.get(name)!;
  return floats((await runHost(session, feeds)).z!);
}

test('the queue is a FIFO of momentum-encoder keys with their labels; the momentum encoder is an EMA of the parameters', async () => {
  const cfg = base({ queueMomentum: 0.9 });
  const built = buildStage1(cfg);
  const start = startState(built);
  assert.deepEqual(floats(start.get(QUEUE_LABELS)!), new Array<number>(12).fill(EMPTY_SLOT));
  const runner = await stepperFor(built, start);
  await runner.run(batch(1), 0.1, 1);
  const first = await runner.state();
  // Step 1's keys come from the momentum encoder as it started: a copy of the initial parameters.
  const keys1 = await projections(cfg, start, batch(1).images!);
  assert.ok(scaledDiff(floats(first.get(QUEUE_FEATURES)!).slice(0, 32), keys1) < 1e-5, 'step 1 keys in front');
  assert.deepEqual(floats(first.get(QUEUE_LABELS)!), [...labels, ...labels, ...new Array<number>(4).fill(EMPTY_SLOT)]);
  for (const name of ['encoder.conv1.weight', 'head.2.bias']) {
    const expected = floats(start.get(name)!).map((v, i) => 0.9 * v + 0.1 * Number(first.get(name)!.data[i]));
    assert.ok(scaledDiff(floats(first.get(`${MOMENTUM_PREFIX}${name}`)!), expected) < 1e-6, `${MOMENTUM_PREFIX}${name}`);
  }
  await runner.run(batch(2), 0.1, 2);
  const second = await runner.state();
  const keys2 = await projections(cfg, new Map([...first].map(([n, t]) => [n.startsWith(MOMENTUM_PREFIX) ? n.slice(MOMENTUM_PREFIX.length) : `unused.${n}`, t])), batch(2).images!);
  const features = floats(second.get(QUEUE_FEATURES)!);
  assert.ok(scaledDiff(features.slice(0, 32), keys2) < 1e-5, 'step 2 keys from the momentum encoder after step 1');
  assert.ok(scaledDiff(features.slice(32, 48), keys1.slice(0, 16)) < 1e-6, 'the oldest 4 of step 1\'s 8 keys dropped, the rest moved back');
  assert.deepEqual(floats(second.get(QUEUE_LABELS)!), [...labels, ...labels, ...labels, ...labels.slice(0, 4)].slice(0, 12));
  await runner.release();
});

test('the queue changes the loss from the second step on (its rows join the contrast set)', async () => {
  const withQueue = await stepperFor(buildStage1(base({ queueMomentum: 0 })));
  const without = await stepperFor(buildStage1(base({ queueSize: 0 })));
  const losses = async (runner: Awaited<ReturnType<typeof stepperFor>>) => [(await runner.run(batch(1), 0.1, 1)).loss, (await runner.run(batch(2), 0.1, 2)).loss];
  const [a, e] = [await losses(withQueue), await losses(without)];
  assert.equal(a[0], e[0], 'an empty queue changes nothing');
  assert.ok(Math.abs(a[1]! - e[1]!) > 1e-3, `step 2: ${a[1]} with the queue, ${e[1]} without`);
});

test('no BatchNorm: chunked steps with a queue (momentum 0.9 and 0) equal fused ones: loss, parameters, queue, momentum encoder', async () => {
  for (const queueMomentum of [0.9, 0]) {
    const cfg = base({ queueMomentum, chunkSize: 2 });
    const recipe = withoutBatchNorm(stage1Recipe(cfg), cfg.featDim, true);
    const chunked = await stepperFor(splitStep('stage1', cfg, recipe));
    const fused = await stepperFor(fusedStep('stage1', cfg, recipe));
    for (let step = 1; step <= 4; step++) {
      const [a, e] = [await chunked.run(batch(step), 0.1, step), await fused.run(batch(step), 0.1, step)];
      assert.ok(Math.abs(a.loss - e.loss) <= 1e-5 * e.loss, `momentum ${queueMomentum}, step ${step}: ${a.loss} vs ${e.loss}`);
    }
    const [actual, expected] = [await chunked.state(), await fused.state()];
    assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort());
    assert.equal([...actual.keys()].some((n) => n.startsWith(MOMENTUM_PREFIX)), queueMomentum > 0);
    for (const [name, t] of expected) assert.ok(scaledDiff(floats(actual.get(name)!), floats(t)) < 1e-4, `momentum ${queueMomentum}: ${name}`);
  }
});

test('a chunked runner restarted from saved state (queue, momentum encoder, optimizer) continues exactly', async () => {
  const cfg = base({ queueMomentum: 0.9, chunkSize: 4 });
  const step = splitStep('stage1', cfg, stage1Recipe(cfg));
  const straight = await stepperFor(step);
  const first = await stepperFor(step);
  for (let t = 1; t <= 2; t++) {
    await straight.run(batch(t), 0.1, t);
    await first.run(batch(t), 0.1, t);
  }
  const saved = decodeSafetensors(encodeSafetensors(await first.state())).tensors;
  assert.ok(saved.has(QUEUE_FEATURES) && saved.has(QUEUE_LABELS) && [...saved.keys()].every((n) => !n.startsWith('grad.')), 'the queue is saved, the summed gradients are not');
  const resumed = await stepperFor(step, saved);
  for (let t = 3; t <= 4; t++) assert.equal((await resumed.run(batch(t), 0.1, t)).loss, (await straight.run(batch(t), 0.1, t)).loss);
  const [a, e] = [await resumed.state(), await straight.state()];
  for (const [name, t] of e) assert.deepEqual(a.get(name)!.data, t.data, name);
});

test('the max-margin loss refuses a queue', () => {
  assert.throws(() => buildStage1(base({ loss: 'max_margin' })), /memory queue extends SupCon and SimCLR, not the max-margin loss/);
});
