// node --import ./scripts/register-ts.mjs bench/ep.ts [--models small_cnn,resnet18] [--eps cpu,webgpu] [--steps 3]
// Stage-1 SupCon steps (SGD momentum) per execution provider: ms per step and images/s (each image two
// views), and on device EPs the share of the step spent moving parameters and optimizer state: the same
// step with state kept on the device (`updated.*` as 'gpu-buffer', fed back) against state brought to
// the host and sent back every step. On CPU there is nothing to move; WASM and CUDA (onnxruntime-node
// has no CUDA-resident outputs) always copy, so there is no on-device variant to compare.
//
// Default runs: cpu (2 threads) on the small CNN and ResNet-18, wasm on the small CNN, and a tiny CNN on
// cpu, wasm and webgpu, the only size SwiftShader's software Vulkan (no GPU here) gets through quickly.

import { Command } from 'commander';
import { type ModelConfig, defaultModelConfig } from '../graphs/config.ts';
import { buildStage1 } from '../graphs/stages.ts';
import { stepModel } from '../graphs/step.ts';
import { initialState } from '../src/runtime/init.ts';
import { type ExecutionProvider, parseExecutionProvider, sessionFactory } from '../src/runtime/providers.ts';
import type { HostTensor } from '../src/runtime/session.ts';
import { StepRunner } from '../src/runtime/step_runner.ts';
import { SWIFTSHADER_ICD } from '../src/runtime/vulkan_loader.ts';

const MODELS: Record<string, ModelConfig> = {
  small_cnn: defaultModelConfig({ name: 'small_cnn', encoder: 'small_cnn', width: 32, inputSize: 28, inputChannels: 1, batchSize: 256 }),
  resnet18: defaultModelConfig({ name: 'resnet18', encoder: 'resnet18', stem: 'cifar', inputSize: 32, inputChannels: 3, batchSize: 128 }),
  tiny: defaultModelConfig({ name: 'tiny', encoder: 'small_cnn', width: 8, inputSize: 16, inputChannels: 3, batchSize: 16 }),
};
const DEFAULT_RUNS: [string, ExecutionProvider][] = [
  ['small_cnn', 'cpu'], ['resnet18', 'cpu'], ['small_cnn', 'wasm'], ['tiny', 'cpu'], ['tiny', 'wasm'], ['tiny', 'webgpu'],
];

interface Row { model: string; ep: ExecutionProvider; batch: number; stateMb: number; ms: number; roundTripMs?: number; note: string }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Prepared { stateMb: number; step(): Promise<number>; release(): Promise<void> }

/** A runner of `cfg`'s stage-1 step on `ep` with a fixed batch; `step()` returns its ms. */
async function prepare(cfg: ModelConfig, ep: ExecutionProvider, threads: number, keepStateOnDevice: boolean): Promise<Prepared> {
  const built = buildStage1(cfg);
  const state = initialState(built.params.list, built.optimizerState, 0);
  const runner = await StepRunner.create(stepModel(built.graph, built), state, {
    feeds: ['images', 'labels'],
    session: sessionFactory(ep, { threads, keepStateOnDevice }),
  });
  const n = cfg.batchSize;
  const dims = [cfg.views * n, cfg.inputChannels, cfg.inputSize, cfg.inputSize];
  const images: HostTensor = { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, (_, i) => Math.sin(i * 12.9898) * 0.5) };
  const labels: HostTensor = { dtype: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7) % cfg.numClasses)) };
  let count = 0;
  return {
    stateMb: [...state.values()].reduce((sum, t) => sum + t.data.byteLength, 0) / 2 ** 20,
    async step() {
      const t = performance.now();
      await runner.run({ images, labels }, 0.05, ++count);
      return performance.now() - t;
    },
    release: () => runner.release(),
  };
}

/**
 * Median ms per step after one warm-up step (WebGPU compiles its shaders in the first). On WebGPU the
 * state-on-device and round-trip runners alternate step by step, so that load from other processes
 * falls on both alike.
 */
async function measure(model: string, ep: ExecutionProvider, steps: number, threads: number): Promise<Row> {
  const cfg = MODELS[model];
  if (!cfg) throw new Error(`unknown model ${model}: ${Object.keys(MODELS).join(', ')}`);
  const runners = [await prepare(cfg, ep, threads, true)];
  if (ep === 'webgpu') runners.push(await prepare(cfg, ep, threads, false));
  for (const r of runners) await r.step();
  const times = runners.map((): number[] => []);
  for (let s = 0; s < steps; s++) for (const [i, r] of runners.entries()) times[i]!.push(await r.step());
  for (const r of runners) await r.release();
  const row: Row = { model, ep, batch: cfg.batchSize, stateMb: runners[0]!.stateMb, ms: median(times[0]!), note: '' };
  if (times[1]) row.roundTripMs = median(times[1]);
  else row.note = { cpu: 'no device: nothing to move', wasm: 'copies through the WASM heap every run', cuda: 'ORT copies outputs to the host every run', webgpu: '' }[ep];
  return row;
}

function printTable(rows: readonly Row[]): void {
  const head = ['model', 'ep', 'batch x2', 'state MB', 'ms/step', 'images/s', 'round-trip ms', 'copy share'];
  const body = rows.map((r) => {
    const share = r.roundTripMs === undefined ? (r.ep === 'cpu' ? '0' : 'n/a') : `${Math.max(0, (100 * (r.roundTripMs - r.ms)) / r.roundTripMs).toFixed(0)}%`;
    return [r.model, r.ep, String(r.batch), r.stateMb.toFixed(1), r.ms.toFixed(0), ((1000 * r.batch) / r.ms).toFixed(1), r.roundTripMs?.toFixed(0) ?? '-', share];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  for (const line of [head, widths.map((w) => '-'.repeat(w)), ...body]) console.log(line.map((c, i) => c.padStart(widths[i]!)).join('  '));
  for (const r of rows) if (r.note) console.log(`  ${r.model}/${r.ep}: ${r.note}`);
}

const program = new Command('bench-ep')
  .option('--models <list>', `comma-separated (${Object.keys(MODELS).join(', ')}); with --eps, every pair`)
  .option('--eps <list>', 'comma-separated execution providers (cpu, cuda, webgpu, wasm)')
  .option('--steps <n>', 'timed steps after one warm-up step', Number, 3)
  .option('--threads <n>', 'CPU / WASM threads', Number, 2)
  .parse();
const opts = program.opts<{ models?: string; eps?: string; steps: number; threads: number }>();
const runs: [string, ExecutionProvider][] = opts.models || opts.eps
  ? (opts.models ?? 'tiny').split(',').flatMap((m) => (opts.eps ?? 'cpu').split(',').map((e): [string, ExecutionProvider] => [m, parseExecutionProvider(e)]))
  : DEFAULT_RUNS;
if (!process.env.VK_ICD_FILENAMES && runs.some(([, ep]) => ep === 'webgpu')) console.log(`note: VK_ICD_FILENAMES is unset (without a GPU: ${SWIFTSHADER_ICD})`);
console.log(`stage-1 steps, SGD momentum, ${opts.steps} timed steps after a warm-up, ${opts.threads} threads\n`);
const rows: Row[] = [];
for (const [model, ep] of runs) {
  try {
    rows.push(await measure(model, ep, opts.steps, opts.threads));
  } catch (err) {
    console.log(`${model}/${ep}: skipped: ${err instanceof Error ? err.message : String(err)}`);
  }
}
printTable(rows);
