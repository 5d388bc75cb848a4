// npm run bench [-- --profile] [--only resnet18] [--steps 3]
// Times the stage-1 SupCon training step (one session.run) on onnxruntime-node CPU with 2 threads:
// ResNet-18 (CIFAR stem, 32x32x3, 128 images x 2 views) and the small CNN (28x28x1, 256 x 2), SGD
// momentum. Each model runs in its own child process so that its peak RSS is its own.

import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { type ModelConfig, defaultModelConfig } from '../graphs/config.ts';
import { buildEmbed, buildStage1 } from '../graphs/stages.ts';
import { serializeStep } from '../graphs/step.ts';
import { initialState } from '../src/runtime/init.ts';
import * as b from '../src/onnx/index.ts';
import { type HostTensor, createCpuSession, runHost } from '../src/runtime/session.ts';
import { StepRunner } from '../src/runtime/step_runner.ts';
import { graphFlops, inScope, isForward } from './flops.ts';
import { type ProfileSummary, summariseProfile } from './profile.ts';

interface Case {
  config: ModelConfig;
  /** PyTorch 1.13 on the same 2-core machine, images/s (each image two views). */
  pytorch: number;
}

const CASES: Record<string, Case> = {
  resnet18: { config: defaultModelConfig({ name: 'bench_resnet18', encoder: 'resnet18', stem: 'cifar', inputSize: 32, inputChannels: 3, batchSize: 128 }), pytorch: 53 },
  small_cnn: { config: defaultModelConfig({ name: 'bench_small_cnn', encoder: 'small_cnn', width: 32, inputSize: 28, inputChannels: 1, batchSize: 256 }), pytorch: 1150 },
};

interface Result {
  model: string;
  batch: number;
  views: number;
  msPerStep: number;
  forwardFlopsPerStep: number;
  buildMs: number;
  sessionMs: number;
  peakRssMb: number;
  /** Inference-mode encoder forward on the same images: GFLOP/s, a yardstick for how busy the machine was. */
  inferenceGflops: number;
  profile?: ProfileSummary;
}

/** GFLOP/s of the inference-mode encoder (embed graph) on `images`: median of 3 runs after a warm-up. */
async function inferenceGflops(config: ModelConfig, images: HostTensor, encoderFlops: number): Promise<number> {
  const embed = buildEmbed(config);
  const session = await createCpuSession(b.serialize(embed.graph, { outputs: { embedding: embed.outputs.embedding! } }), { threads: 2 });
  const feeds = { ...Object.fromEntries(initialState(embed.params.list, [], 0)), images };
  const times: number[] = [];
  for (let i = 0; i < 4; i++) {
    const t = performance.now();
    await runHost(session, feeds);
    if (i > 0) times.push(performance.now() - t);
  }
  return encoderFlops / (median(times) / 1000) / 1e9;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(model: string, steps: number, profile: boolean): Promise<Result> {
  const { config } = CASES[model]!;
  const t0 = performance.now();
  const built = buildStage1(config);
  const bytes = serializeStep(built.graph, { outputs: built.outputs, optimizerState: built.optimizerState });
  const buildMs = performance.now() - t0;
  const forwardFlopsPerStep = graphFlops(built.graph, isForward);

  const profileDir = profile ? await mkdtemp(join(tmpdir(), 'supcon-profile-')) : '';
  const state = initialState(built.params.list, built.optimizerState, 0);
  const t1 = performance.now();
  let endProfiling = (): void => {};
  const runner = await StepRunner.create(bytes, state, {
    feeds: ['images', 'labels'],
    session: async (model) => {
      const s = await createCpuSession(model, { threads: 2, profile, profilePrefix: join(profileDir, 'step') });
      endProfiling = () => s.endProfiling();
      return s;
    },
  });
  const sessionMs = performance.now() - t1;

  const n = config.batchSize;
  const imageCount = config.views * n * config.inputChannels * config.inputSize * config.inputSize;
  const images: HostTensor = { dtype: 'float32', dims: [config.views * n, config.inputChannels, config.inputSize, config.inputSize], data: Float32Array.from({ length: imageCount }, (_, i) => Math.sin(i * 12.9898) * 0.5) };
  const labels: HostTensor = { dtype: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7) % config.numClasses)) };
  const times: number[] = [];
  for (let s = 0; s <= steps; s++) {
    const t = performance.now();
    await runner.run({ images, labels }, 0.05, s + 1);
    if (s > 0) times.push(performance.now() - t); // step 0 is warm-up
  }
  const result: Result = {
    model, batch: n, views: config.views, msPerStep: median(times), forwardFlopsPerStep, buildMs, sessionMs,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    inferenceGflops: 0,
  };
  if (profile) {
    endProfiling();
    const file = (await readdir(profileDir)).find((f) => f.endsWith('.json'));
    if (file) result.profile = await summariseProfile(join(profileDir, file), 1);
  }
  // After peakRss, so that it does not count; the embed graph's batch is symbolic, so FLOPs come from stage 1.
  const encoderFlops = graphFlops(built.graph, (node) => isForward(node) && inScope(node.name, 'encoder'));
  result.inferenceGflops = await inferenceGflops(config, images, encoderFlops);
  return result;
}

function printTable(results: Result[]): void {
  const rows = results.map((r) => {
    const imagesPerS = (r.batch / r.msPerStep) * 1000;
    const gflops = (3 * r.forwardFlopsPerStep) / (r.msPerStep / 1000) / 1e9;
    return [r.model, `${r.batch}x${r.views}`, imagesPerS.toFixed(1), (imagesPerS * r.views).toFixed(1), CASES[r.model]!.pytorch.toString(), r.msPerStep.toFixed(0),
      (r.forwardFlopsPerStep / 1e9).toFixed(1), gflops.toFixed(1), r.inferenceGflops.toFixed(1), r.peakRssMb.toFixed(0), (r.sessionMs / 1000).toFixed(1)];
  });
  const header = ['model', 'batch', 'images/s', 'views/s', 'pytorch img/s', 'ms/step', 'fwd GFLOP', 'GFLOP/s (3x fwd)', 'inference GFLOP/s', 'peak RSS MB', 'session s'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const r of rows) console.log(line(r));
  console.log('images/s: distinct images per second (each with all its views); views/s: network inputs per second.');
  console.log('FLOPs = 2 x multiply-adds of Conv/Gemm/MatMul in the forward pass; GFLOP/s assumes the step costs 3x forward.');
  console.log('inference GFLOP/s: the inference-mode encoder alone on the same images, the ceiling a step could approach.');
  console.log(`onnxruntime-node CPU EP, 2 intra-op threads; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
}

function printProfile(r: Result): void {
  const p = r.profile;
  if (!p || p.runs < 1) return;
  const ms = (us: number): string => (us / p.runs / 1000).toFixed(1);
  console.log(`\n${r.model}: kernel time per step ${ms(p.totalUs)} ms (forward ${ms(p.byPhase.forward)}, backward ${ms(p.byPhase.backward)}, optimizer ${ms(p.byPhase.optimizer)})`);
  for (const o of p.byOp.slice(0, 12)) {
    console.log(`  ${o.op.padEnd(24)} ${ms(o.us).padStart(9)} ms  ${((100 * o.us) / p.totalUs).toFixed(1).padStart(5)}%  ${String(o.calls / p.runs).padStart(5)} calls`);
  }
}

const program = new Command('bench')
  .option('--profile', 'enable ORT profiling and print the top ops by kernel time', false)
  .option('--only <models...>', `models to run (${Object.keys(CASES).join(', ')})`, Object.keys(CASES))
  .option('--steps <n>', 'timed steps after one warm-up step', Number, 3)
  .option('--child <model>', 'internal: measure one model and print its result as JSON')
  .parse();
const opts = program.opts<{ profile: boolean; only: string[]; steps: number; child?: string }>();

if (opts.child) {
  console.log(`RESULT ${JSON.stringify(await measure(opts.child, opts.steps, opts.profile))}`);
} else {
  const results: Result[] = [];
  for (const model of opts.only) {
    if (!CASES[model]) throw new Error(`unknown model ${model}`);
    const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', model, '--steps', String(opts.steps), ...(opts.profile ? ['--profile'] : [])];
    const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
    const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    if (child.status !== 0 || !line) throw new Error(`bench of ${model} failed (exit ${child.status}):\n${child.stdout}`);
    results.push(JSON.parse(line.slice('RESULT '.length)) as Result);
    console.error(`${model}: done`);
  }
  printTable(results);
  for (const r of results) printProfile(r);
}
