// The same stage-1 and stage-2 steps (small CNN, width 4, 8x8x3, batch 4 x 2 views, SGD momentum 0.9),
// and stage 1 as a chunked split step with a memory queue, run for 3 steps from the same initial state on
// cpu, wasm and webgpu (SwiftShader's software Vulkan where there is no GPU) must give the same losses
// and state.
//
// Tolerance |a - b| <= 1e-5 + 1e-3 |a|, losses 1e-5 relative: every EP computes in float32 but sums in
// its own order (WebGPU shaders reduce in workgroup tiles, MLAS and WASM SIMD in their vector widths),
// so results differ in the last bits and the differences grow through 3 steps of backprop and momentum.
// Measured: max |diff| ~1e-6 on parameters (the largest on momentum buffers), ~5e-7 on losses.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { defaultModelConfig } from '../../graphs/config.ts';
import { type SplitStep, buildStage1Split, splitModels } from '../../graphs/split_step.ts';
import { type BuiltGraph, buildStage1, buildStage2 } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import { cudaProviderLibrary } from '../../src/runtime/cuda_session.ts';
import { ExecutionProviderError } from '../../src/runtime/ep_error.ts';
import { initialState } from '../../src/runtime/init.ts';
import { cpuFallbacks, latestProfile, readPlacements } from '../../src/runtime/placement.ts';
import { type ExecutionProvider, parseExecutionProvider, sessionFactory } from '../../src/runtime/providers.ts';
import { type HostTensor, modelBytes } from '../../src/runtime/session.ts';
import { SplitStepRunner } from '../../src/runtime/split_runner.ts';
import { type SessionFactory, type Stepper, StepRunner } from '../../src/runtime/step_runner.ts';
import { SWIFTSHADER_ICD } from '../../src/runtime/vulkan_loader.ts';
import { type WebGpuStepSession, createWebGpuSession } from '../../src/runtime/webgpu_session.ts';

if (!process.env.VK_ICD_FILENAMES && existsSync(SWIFTSHADER_ICD)) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
const NO_WEBGPU = process.env.VK_ICD_FILENAMES
  ? false
  : `no Vulkan driver for WebGPU: ${SWIFTSHADER_ICD} is missing (apt-get install chromium) and VK_ICD_FILENAMES is unset`;

const cfg = defaultModelConfig({ encoder: 'small_cnn', width: 4, inputSize: 8, inputChannels: 3, numClasses: 3, featDim: 8, batchSize: 4 });
const stage1 = buildStage1(cfg);
const stage2 = buildStage2(cfg);
// GradCache in 2 chunks of 4 rows with a momentum-encoder queue: four graphs per step, state across them.
const chunked = buildStage1Split({ ...cfg, chunkSize: 4, queueSize: 16, queueMomentum: 0.9 });
const labels: HostTensor = { dtype: 'int64', dims: [4], data: BigInt64Array.of(0n, 1n, 0n, 2n) };
const images = (views: number): HostTensor => {
  const n = views * 4 * 3 * 8 * 8;
  return { dtype: 'float32', dims: [views * 4, 3, 8, 8], data: Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)) };
};

interface Trace { losses: number[]; state: Map<string, HostTensor> }

/** 3 steps (lr 0.1) of `built` from the seed-1 initial state, then the state read back to the host. */
async function trace(built: BuiltGraph | SplitStep, sessions: SessionFactory, inspect?: (runner: Stepper) => Promise<void>): Promise<Trace> {
  const init = initialState(built.params.list, [...built.optimizerState, ...built.extraState], 1);
  const options = { feeds: ['images', 'labels'], session: sessions };
  const runner = 'gradient' in built ? await SplitStepRunner.create(splitModels(built), init, options) : await StepRunner.create(serializeStep(built.graph, built), init, options);
  const views = built.name === 'stage1' ? 2 : 1;
  const losses: number[] = [];
  for (let step = 1; step <= 3; step++) losses.push((await runner.run({ images: images(views), labels }, 0.1, step)).loss);
  await inspect?.(runner);
  const state = await runner.state();
  await runner.release();
  return { losses, state };
}

function assertClose(actual: Trace, expected: Trace, what: string): void {
  actual.losses.forEach((l, i) => assert.ok(Math.abs(l - expected.losses[i]!) <= 1e-5 * Math.abs(expected.losses[i]!), `${what}: loss ${i + 1} ${l} vs ${expected.losses[i]}`));
  assert.deepEqual([...actual.state.keys()].sort(), [...expected.state.keys()].sort());
  for (const [name, want] of expected.state) {
    const got = actual.state.get(name)!;
    assert.deepEqual(got.dims, want.dims, `${what}: ${name} dims`);
    for (let i = 0; i < want.data.length; i++) {
      const a = Number(got.data[i]);
      const e = Number(want.data[i]);
      if (!(Math.abs(a - e) <= 1e-5 + 1e-3 * Math.abs(e))) assert.fail(`${what}: ${name}[${i}] = ${a}, cpu ${e}`);
    }
  }
}

const reference = new Map<BuiltGraph | SplitStep, Trace>();
const cpuTrace = async (built: BuiltGraph | SplitStep): Promise<Trace> => {
  const known = reference.get(built) ?? await trace(built, sessionFactory('cpu', { threads: 1 }));
  reference.set(built, known);
  return known;
};
const named = (built: BuiltGraph | SplitStep): string => ('gradient' in built ? `${built.name} in chunks with a queue` : built.name);

describe('execution providers give the same training steps', () => {
  for (const built of [stage1, stage2, chunked]) {
    test(`${named(built)}: wasm matches cpu`, async () => {
      const cpu = await cpuTrace(built);
      // (With the queue the loss of a repeated batch rises as the queue fills: more contrasts per anchor.)
      if (built !== chunked) assert.ok(cpu.losses[2]! < cpu.losses[0]!, `cpu ${named(built)} loss falls: ${cpu.losses.join(', ')}`);
      assertClose(await trace(built, sessionFactory('wasm', { threads: 1 })), cpu, `wasm ${named(built)}`);
    });
  }

  describe('webgpu (SwiftShader where there is no GPU)', { skip: NO_WEBGPU }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'ep-parity-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('stage1: matches cpu; state stays on the device and only label ops fall back to the CPU', async () => {
      const held: { session?: WebGpuStepSession } = {};
      const prefix = join(dir, 'stage1');
      const sessions: SessionFactory = async (model) => (held.session = await createWebGpuSession(modelBytes(model), { threads: 1, profile: true, profilePrefix: prefix }));
      const gpu = await trace(stage1, sessions, async (runner) => {
        assert.ok(runner instanceof StepRunner);
        const locations = runner.locations();
        assert.equal(locations.size, stage1.params.list.length + stage1.optimizerState.length);
        for (const [name, where] of locations) assert.equal(where, 'gpu-buffer', `${name} held on ${where}`);
        assert.ok(held.session);
        held.session.endProfiling(); // before trace() releases the session
      });
      assertClose(gpu, await cpuTrace(stage1), 'webgpu stage1');
      // ORT runs int64 ops (label masks: Unsqueeze, Concat, Equal on labels [N]) on the CPU EP; any float
      // tensor there would be a silent device -> host -> device copy inside the step.
      const fallbacks = cpuFallbacks(readPlacements(latestProfile(prefix)));
      const floats = fallbacks.filter((p) => /float/.test(p.outputs));
      assert.deepEqual(floats, [], `float nodes on the CPU: ${floats.map((p) => `${p.node} (${p.op} ${p.outputs})`).join(', ')}`);
    });

    test('stage2: matches cpu', async () => {
      assertClose(await trace(stage2, sessionFactory('webgpu', { threads: 1 })), await cpuTrace(stage2), 'webgpu stage2');
    });

    test('stage1 in chunks with a queue: matches cpu', async () => {
      assertClose(await trace(chunked, sessionFactory('webgpu', { threads: 1 })), await cpuTrace(chunked), 'webgpu chunked stage1');
    });

    test('state() reads the device tensors back exactly, before and after a step', async () => {
      // A tiny step (w <- w - lr * step * x, loss = sum(w * x)): its shaders compile in a moment.
      const g = new b.Graph();
      const w = g.input('w', 'float32', [3]);
      const x = g.input('x', 'float32', [3]);
      const [lr, step] = [g.input('lr', 'float32', []), g.input('step', 'float32', [])];
      const model = b.serialize(g, { outputs: { loss: b.reduceSum(b.mul(w, x), []), 'updated.w': b.sub(w, b.mul(b.mul(x, lr), step)) } });
      const w0: HostTensor = { dtype: 'float32', dims: [3], data: Float32Array.of(1, 2, 3) };
      const runner = await StepRunner.create(model, new Map([['w', w0]]), { feeds: ['x'], session: sessionFactory('webgpu') });
      assert.equal(runner.locations().get('w'), 'gpu-buffer', 'uploaded at creation');
      assert.deepEqual((await runner.state()).get('w')!.data, w0.data);
      const feed = { x: { dtype: 'float32' as const, dims: [3], data: Float32Array.of(1, 0, -1) } };
      assert.equal((await runner.run(feed, 0.5, 1)).loss, -2);
      assert.equal((await runner.run(feed, 0.25, 2)).loss, -3);
      assert.equal(runner.locations().get('w'), 'gpu-buffer');
      assert.deepEqual(Array.from((await runner.state()).get('w')!.data, Number), [0, 2, 4]);
      assert.deepEqual(Array.from((await runner.state()).get('w')!.data, Number), [0, 2, 4], 'read twice');
      await runner.release();
    });
  });
});

describe('execution provider errors', () => {
  test('--ep names are checked', () => {
    const eps: ExecutionProvider[] = ['cpu', 'cuda', 'webgpu', 'wasm'];
    for (const ep of eps) assert.equal(parseExecutionProvider(ep), ep);
    assert.throws(() => parseExecutionProvider('gpu'), /--ep must be one of cpu, cuda, webgpu, wasm, got 'gpu'/);
  });

  test('--ep cuda without the CUDA binaries says what is missing and how to get it', { skip: cudaProviderLibrary() ? 'CUDA binaries installed' : false }, () => {
    assert.throws(() => sessionFactory('cuda'), (err: unknown) => {
      assert.ok(err instanceof ExecutionProviderError);
      assert.match(err.message, /libonnxruntime_providers_cuda\.so is not installed in .*onnxruntime-node\/bin\/napi-v\d+\/linux\/x64/);
      assert.match(err.message, /CUDA 12 and cuDNN 9/);
      assert.match(err.message, /npm run install-cuda/);
      return true;
    });
  });

  test('webgpu without an adapter names VK_ICD_FILENAMES and SwiftShader', { skip: NO_WEBGPU }, () => {
    // A fresh process: Dawn keeps its first adapter for the life of the process.
    const script = "import { checkExecutionProvider } from './src/runtime/providers.ts'; await checkExecutionProvider('webgpu').then(() => console.log('no error'), (e) => console.log(`${e.name}: ${e.message}`));";
    const child = spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', '--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: join(tmpdir(), 'no-such-icd.json') },
      encoding: 'utf8',
    });
    assert.match(child.stdout, /ExecutionProviderError: WebGPU: no adapter found \(VK_ICD_FILENAMES=.*no-such-icd\.json/);
    assert.match(child.stdout, /SwiftShader.*VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json/);
  });
});
