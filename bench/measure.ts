// One bench row measured in this process (bench/run.ts starts one process per row and round, so that
// each peak RSS is the row's own): build the step graph, run one warm-up step and `steps` timed ones
// on onnxruntime-node's CPU EP, report the median.

import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stepModel } from '../graphs/step.ts';
import { initialState } from '../src/runtime/init.ts';
import type { HostTensor } from '../src/runtime/session.ts';
import { StepRunner, cpuSessionFactory } from '../src/runtime/step_runner.ts';
import { type BenchCase, buildCase } from './cases.ts';
import { graphFlops, isForward } from './flops.ts';
import { type ProfileSummary, summariseProfile } from './profile.ts';

export interface OursResult {
  msPerStep: number;
  /** FLOPs of the forward Conv/Gemm/MatMul work per step. */
  forwardFlops: number;
  peakRssMb: number;
  sessionSeconds: number;
  profile?: ProfileSummary;
}

export interface MeasureOptions {
  steps: number;
  threads: number;
  lowering: boolean;
  profile: boolean;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Deterministic inputs: images (views stacked view-major) and labels of the row's batch. */
function batch(c: BenchCase): Record<string, HostTensor> {
  const { views, batchSize: n, inputChannels: ch, inputSize: s, numClasses } = c.config;
  const dims = [views * n, ch, s, s];
  const images: HostTensor = { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, (_, i) => Math.sin(i * 12.9898) * 0.5) };
  const labels: HostTensor = { dtype: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7) % numClasses)) };
  return { images, labels };
}

export async function measure(c: BenchCase, o: MeasureOptions): Promise<OursResult> {
  const built = buildCase(c);
  const profileDir = o.profile ? await mkdtemp(join(tmpdir(), 'supcon-profile-')) : '';
  const t0 = performance.now();
  const sessions = cpuSessionFactory({ threads: o.threads, lowering: o.lowering, profile: o.profile, profilePrefix: join(profileDir, 'step') });
  const runner = await StepRunner.create(stepModel(built.graph, built), initialState(built.params.list, built.optimizerState, 0), { feeds: ['images', 'labels'], session: sessions });
  const sessionSeconds = (performance.now() - t0) / 1000;
  const feeds = batch(c);
  const times: number[] = [];
  for (let s = 0; s <= o.steps; s++) {
    const t = performance.now();
    await runner.run(feeds, 0.05, s + 1);
    if (s > 0) times.push(performance.now() - t); // step 0 is the warm-up
  }
  const result: OursResult = { msPerStep: median(times), forwardFlops: graphFlops(built.graph, isForward), peakRssMb: process.resourceUsage().maxRSS / 1024, sessionSeconds };
  await runner.release();
  if (o.profile) {
    const file = (await readdir(profileDir)).find((f) => f.endsWith('.json'));
    if (file) result.profile = await summariseProfile(join(profileDir, file), 1);
  }
  return result;
}
