// GradCache's exactness. Without BatchNorm the chunked gradient equals the whole batch's for every chunk
// size that divides the step (SupCon, SimCLR, max-margin, cross-entropy), and 5 chunked steps equal 5 fused
// ones. With BatchNorm it equals a one-graph reference that applies the encoder to each chunk on its own
// (separate copies of the parameters, their gradients summed), the running statistics move once per chunk,
// and 5 steps agree with that reference driven by a plain-TS optimizer.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { grad } from '../../src/autodiff/index.ts';
import { type ContrastiveLoss, type ModelConfig, defaultModelConfig } from '../../graphs/config.ts';
import { Params } from '../../graphs/params.ts';
import { baselineRecipe, stage1Recipe } from '../../graphs/recipes.ts';
import { splitStep } from '../../graphs/split_step.ts';
import { fusedStep } from '../../graphs/stages.ts';
import { type HostTensor, createCpuSession, runHost } from '../../src/runtime/session.ts';
import type { SplitStepRunner } from '../../src/runtime/split_runner.ts';
import { type RefState, referenceStep } from '../optim/reference.ts';
import { scaledDiff } from './loss_harness.ts';
import { floats, int64, patternImages, stackViews, startState, stepperFor, withoutBatchNorm } from './train_helpers.ts';

const sgd = { kind: 'sgd' as const, momentum: 0.9, nesterov: false, weightDecay: 1e-3 };
const labels = [0, 1, 2, 0, 1, 2];
const base = (o: Partial<ModelConfig>): ModelConfig =>
  defaultModelConfig({ encoder: 'small_cnn', width: 4, inputSize: 8, inputChannels: 2, numClasses: 3, featDim: 6, batchSize: labels.length, optimizer: sgd, ...o });

/** Batch `seed`: two views of `labels` (12 rows), or one view (6 rows). */
const batch = (seed: number, views = 2): Record<string, HostTensor> => ({
  images: stackViews(Array.from({ length: views }, (_, v) => patternImages(labels, 2, 8, 10 * seed + v))),
  labels: int64(labels),
});

const contrastive = (loss: ContrastiveLoss, chunkSize: number) => {
  const cfg = base({ loss, chunkSize });
  return splitStep('stage1', cfg, withoutBatchNorm(stage1Recipe(cfg), cfg.featDim, true));
};
const crossEntropy = (chunkSize: number) => {
  const cfg = base({ views: 1, chunkSize });
  return splitStep('baseline', cfg, withoutBatchNorm(baselineRecipe(cfg), cfg.numClasses, false));
};

async function gradientsOf(step: ReturnType<typeof contrastive>, feeds: Record<string, HostTensor>) {
  const runner = (await stepperFor(step)) as SplitStepRunner;
  const result = await runner.gradients(feeds);
  await runner.release();
  return result;
}

/** Same names, and each tensor within `tol` of the expected one's scale (scaledDiff). */
function assertSameTensors(actual: ReadonlyMap<string, HostTensor>, expected: ReadonlyMap<string, HostTensor>, tol: number, what: string): void {
  assert.deepEqual([...actual.keys()].sort(), [...expected.keys()].sort(), what);
  for (const [name, e] of expected) {
    const err = scaledDiff(floats(actual.get(name)!), floats(e));
    assert.ok(err < tol, `${what}: ${name} differs by ${err.toExponential(2)} of its scale`);
  }
}

for (const loss of ['supcon', 'simclr', 'max_margin'] as const) {
  test(`no BatchNorm, ${loss}: every chunk size that divides the 12 rows gives the whole batch's gradient`, async () => {
    const whole = await gradientsOf(contrastive(loss, 0), batch(1));
    assert.equal(whole.gradients.size, 4, 'conv and head weights and biases');
    for (const chunk of [6, 4, 3, 2, 1]) {
      const chunked = await gradientsOf(contrastive(loss, chunk), batch(1));
      assert.ok(Math.abs(chunked.loss - whole.loss) <= 1e-6 * Math.abs(whole.loss), `chunk ${chunk}: loss ${chunked.loss} vs ${whole.loss}`);
      assertSameTensors(chunked.gradients, whole.gradients, 1e-5, `chunk ${chunk}`);
    }
  });
}

test('no BatchNorm, cross-entropy baseline in chunks of 3 and 2: the whole batch\'s gradient and accuracy', async () => {
  const whole = await gradientsOf(crossEntropy(0), batch(1, 1));
  for (const chunk of [3, 2]) {
    const chunked = await gradientsOf(crossEntropy(chunk), batch(1, 1));
    assert.equal(Number(chunked.outputs.accuracy!.data[0]), Number(whole.outputs.accuracy!.data[0]));
    assertSameTensors(chunked.gradients, whole.gradients, 1e-5, `chunk ${chunk}`);
  }
});

test('a chunk that does not divide the step is refused, naming both sizes', () => {
  assert.throws(() => contrastive('supcon', 5), /stage1: a chunk of 5 rows does not divide the step's 12 rows \(6 images x 2 views\)/);
  assert.throws(() => contrastive('supcon', 24), /a chunk of 24 rows does not divide the step's 12 rows/);
});

test('no BatchNorm: 5 chunked steps (chunk 4) equal 5 fused steps, parameters and momentum', async () => {
  const cfg = base({ chunkSize: 4 });
  const recipe = withoutBatchNorm(stage1Recipe(cfg), cfg.featDim, true);
  const chunked = await stepperFor(splitStep('stage1', cfg, recipe));
  const fused = await stepperFor(fusedStep('stage1', cfg, recipe));
  for (let step = 1; step <= 5; step++) {
    const [a, e] = [await chunked.run(batch(step), 0.2, step), await fused.run(batch(step), 0.2, step)];
    assert.ok(Math.abs(a.loss - e.loss) <= 1e-5 * e.loss, `step ${step}: loss ${a.loss} vs ${e.loss}`);
  }
  assertSameTensors(await chunked.state(), await fused.state(), 1e-4, 'after 5 steps');
});

// --- With BatchNorm: the small CNN (5 conv-BN-ReLU layers) and an MLP head.

const bnConfig = (chunkSize: number): ModelConfig => base({ chunkSize, head: 'mlp', headHidden: 8 });

/**
 * One graph that applies the tower to each chunk of rows with its own copy of the parameters
 * (`chunk<k>.<name>`), the loss over all rows, and d loss / d each copy: the per-chunk BatchNorm
 * semantics written out, without GradCache's two passes.
 */
async function perChunkReference(cfg: ModelConfig, chunk: number) {
  const recipe = stage1Recipe(cfg);
  const g = new b.Graph();
  const rows = cfg.batchSize * cfg.views;
  const images = g.input('images', 'float32', [rows, cfg.inputChannels, cfg.inputSize, cfg.inputSize]);
  const labelsIn = g.input('labels', 'int64', [cfg.batchSize]);
  const copies = Array.from({ length: rows / chunk }, (_, k) => {
    const params = new Params(g);
    const z = g.scope(`chunk${k}`, () => recipe.tower({ params, training: true }, b.slice(images, [k * chunk], [(k + 1) * chunk], [0])));
    return { params, z };
  });
  const loss = recipe.loss(b.concat(copies.map((c) => c.z), 0), labelsIn).loss;
  const trainable = copies.flatMap((c) => c.params.trainable());
  const grads = grad(loss, trainable.map((p) => p.value));
  const outputs: Record<string, b.Value> = { loss };
  trainable.forEach((p, i) => { outputs[`grad.${p.name}`] = grads[i]!; });
  for (const c of copies) for (const [name, v] of c.params.bufferUpdates) outputs[`updated.${name}`] = v;
  const session = await createCpuSession(b.serialize(g, { outputs }), { threads: 2 });
  /** Loss, summed gradients and each chunk's running-statistics update, by the model's own names. */
  return async (state: ReadonlyMap<string, HostTensor>, feeds: Record<string, HostTensor>) => {
    const fed: Record<string, HostTensor> = { ...feeds };
    copies.forEach((c, k) => { for (const p of c.params.list) fed[p.name] = state.get(p.name.slice(`chunk${k}.`.length))!; });
    const out = await runHost(session, fed);
    const grads = new Map<string, number[]>();
    const updates: Map<string, number[]>[] = copies.map(() => new Map());
    for (const [name, t] of Object.entries(out)) {
      const match = /^(grad|updated)\.chunk(\d+)\.(.*)$/.exec(name);
      const own = match?.[3];
      if (!match || own === undefined) continue;
      if (match[1] === 'updated') updates[Number(match[2])]!.set(own, floats(t));
      else grads.set(own, (grads.get(own) ?? floats(t).map(() => 0)).map((v, i) => v + Number(t.data[i])));
    }
    return { loss: Number(out.loss!.data[0]), grads, updates };
  };
}

test('BatchNorm, chunks of 4 and 2: the gradient of the per-chunk reference; running statistics move once per chunk', async () => {
  for (const chunk of [4, 2]) {
    const cfg = bnConfig(chunk);
    const step = splitStep('stage1', cfg, stage1Recipe(cfg));
    const state = startState(step);
    const reference = await (await perChunkReference(cfg, chunk))(state, batch(1));
    const runner = (await stepperFor(step, state)) as SplitStepRunner;
    const chunked = await runner.gradients(batch(1));
    assert.ok(Math.abs(chunked.loss - reference.loss) <= 1e-5 * reference.loss, `chunk ${chunk}: loss ${chunked.loss} vs ${reference.loss}`);
    const expected = new Map([...reference.grads].map(([name, g]) => [`grad.${name}`, { dtype: 'float32' as const, dims: [g.length], data: Float32Array.from(g) }]));
    assertSameTensors(chunked.gradients, expected, 2e-4, `chunk ${chunk}`);

    // PyTorch's momentum m = 0.1: r <- (1 - m) r + m s_k for each chunk k in turn; the reference's update of
    // chunk k alone is u_k = (1 - m) r0 + m s_k, so m s_k = u_k - (1 - m) r0.
    const after = await runner.state();
    for (const name of ['encoder.bn1.running_mean', 'encoder.bn3.running_var', 'encoder.bn5.running_mean']) {
      const r0 = floats(state.get(name)!);
      let r = r0;
      for (const u of reference.updates) r = r.map((v, i) => 0.9 * v + (u.get(name)![i]! - 0.9 * r0[i]!));
      assert.ok(scaledDiff(floats(after.get(name)!), r) < 1e-5, `${name} after ${reference.updates.length} chunks`);
    }
    await runner.release();
  }
});

test('BatchNorm, chunk 4: 5 steps equal the per-chunk reference driven by a plain-TS SGD', async () => {
  const cfg = bnConfig(4);
  const step = splitStep('stage1', cfg, stage1Recipe(cfg));
  let state = startState(step);
  const reference = await perChunkReference(cfg, 4);
  const runner = await stepperFor(step, state);
  const optimizerState = new Map<string, RefState>();
  for (let t = 1; t <= 5; t++) {
    const lr = 0.1;
    const { grads } = await reference(state, batch(t));
    const next = new Map(state);
    for (const p of step.params.trainable()) {
      const slots = optimizerState.get(p.name) ?? {};
      optimizerState.set(p.name, slots);
      next.set(p.name, { dtype: 'float32', dims: [...p.shape], data: Float32Array.from(referenceStep(sgd, floats(state.get(p.name)!), grads.get(p.name)!, slots, lr, t, p.decay)) });
    }
    state = next;
    await runner.run(batch(t), lr, t);
  }
  const actual = await runner.state();
  for (const p of step.params.trainable()) {
    const err = scaledDiff(floats(actual.get(p.name)!), floats(state.get(p.name)!));
    assert.ok(err < 1e-4, `${p.name} after 5 steps: ${err.toExponential(2)}`);
  }
});
