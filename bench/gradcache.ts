// node --import ./scripts/register-ts.mjs bench/gradcache.ts [--rows fused128,chunk128,chunk512,chunk1024] [--rounds 1] [--steps 1] [--threads 2] [--model resnet18]
// Large SupCon batches in little memory: stage-1 steps (SGD momentum) on onnxruntime-node's CPU EP, the
// fused step graph against the split one (gradient + apply graphs) and GradCache in chunks, each row in
// its own process so that its peak RSS is its own. Columns: images/s (each image two views), seconds
// per step, CPU seconds per step (user + system: on a shared machine, where others' work stretches the
// wall clock, the steadier measure of work per image), peak RSS, and where a split step's time goes by
// graph (forward = GradCache's extra pass). The cost of the extra forward pass is the chunked step's
// time (and CPU time) per image over the fused step's.

import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { type ModelConfig, defaultModelConfig, isChunked } from '../graphs/config.ts';
import { buildStage1Split, splitModels } from '../graphs/split_step.ts';
import { buildStage1 } from '../graphs/stages.ts';
import { stepModel } from '../graphs/step.ts';
import { initialState } from '../src/runtime/init.ts';
import type { HostTensor } from '../src/runtime/session.ts';
import { SplitStepRunner } from '../src/runtime/split_runner.ts';
import { type SessionFactory, type StepSession, type Stepper, StepRunner, cpuSessionFactory } from '../src/runtime/step_runner.ts';

interface Row {
  name: string;
  batch: number;
  /** 0: the fused step graph; the batch's rows: the split step without chunks; less: GradCache. */
  chunk: number;
  split: boolean;
}

const ROWS: readonly Row[] = [
  { name: 'fused128', batch: 128, chunk: 0, split: false },
  { name: 'split128', batch: 128, chunk: 0, split: true },
  { name: 'chunk128', batch: 128, chunk: 128, split: true },
  { name: 'chunk512', batch: 512, chunk: 128, split: true },
  { name: 'chunk1024', batch: 1024, chunk: 128, split: true },
];

const MODELS: Record<string, Partial<ModelConfig>> = {
  resnet18: { encoder: 'resnet18', stem: 'cifar', inputSize: 32, inputChannels: 3 },
  small_cnn: { encoder: 'small_cnn', width: 32, inputSize: 32, inputChannels: 3 },
};

interface Options { rows: string[]; rounds: number; steps: number; threads: number; model: string; child?: string }

const opts = new Command('gradcache')
  .option('--rows <rows>', `comma-separated rows (${ROWS.map((r) => r.name).join(', ')})`, (v: string) => v.split(','), ['fused128', 'split128', 'chunk128', 'chunk512', 'chunk1024'])
  .option('--rounds <n>', 'rounds over the rows, each in the reverse order of the last (medians are shown)', Number, 1)
  .option('--steps <n>', 'timed steps per row, after one warm-up step', Number, 1)
  .option('--threads <n>', 'intra-op threads', Number, 2)
  .option('--model <name>', `encoder (${Object.keys(MODELS).join(', ')})`, 'resnet18')
  .option('--child <row>', 'internal: measure one row and print it as JSON')
  .parse()
  .opts<Options>();

interface Result { row: string; batch: number; chunk: number; msPerStep: number; cpuMsPerStep: number; peakRssMb: number; msByGraph: Record<string, number> }

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Sessions whose run time is added up by graph name (the split step's graphs are named `stage1_<part>`). */
function timedSessions(inner: SessionFactory, totals: Record<string, number>): SessionFactory {
  return async (model) => {
    const session = await inner(model);
    const name = (model instanceof Uint8Array ? 'step' : model.options.name ?? 'step').replace(/^stage1_/, '');
    const timed: StepSession = {
      get inputNames() { return session.inputNames; },
      get outputNames() { return session.outputNames; },
      async run(feeds) {
        const t = performance.now();
        const out = await session.run(feeds);
        totals[name] = (totals[name] ?? 0) + performance.now() - t;
        return out;
      },
      ...(session.upload && { upload: session.upload.bind(session) }),
      ...(session.download && { download: session.download.bind(session) }),
      ...(session.release && { release: session.release.bind(session) }),
    };
    return timed;
  };
}

async function measure(row: Row): Promise<Result> {
  const cfg = defaultModelConfig({ name: opts.model, ...MODELS[opts.model], batchSize: row.batch, chunkSize: row.chunk });
  const totals: Record<string, number> = {};
  const sessions = timedSessions(cpuSessionFactory({ threads: opts.threads }), totals);
  const options = { feeds: ['images', 'labels'], session: sessions };
  let runner: Stepper;
  if (row.split) {
    const split = buildStage1Split(cfg);
    if (row.chunk > 0 && !isChunked(cfg)) throw new Error(`${row.name}: chunk ${row.chunk} does not split ${row.batch} x 2 rows`);
    runner = await SplitStepRunner.create(splitModels(split), initialState(split.params.list, split.optimizerState, 0), options);
  } else {
    const built = buildStage1(cfg);
    runner = await StepRunner.create(stepModel(built.graph, built), initialState(built.params.list, built.optimizerState, 0), options);
  }
  const n = cfg.batchSize;
  const dims = [cfg.views * n, cfg.inputChannels, cfg.inputSize, cfg.inputSize];
  const images: HostTensor = { dtype: 'float32', dims, data: Float32Array.from({ length: dims.reduce((a, d) => a * d, 1) }, (_, i) => Math.sin(i * 12.9898) * 0.5) };
  const labels: HostTensor = { dtype: 'int64', dims: [n], data: BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7) % cfg.numClasses)) };
  const times: number[] = [];
  const cpuTimes: number[] = [];
  for (let s = 0; s <= opts.steps; s++) {
    if (s === 1) for (const k of Object.keys(totals)) delete totals[k]; // the warm-up step's graph times
    const [t, cpu] = [performance.now(), process.cpuUsage()];
    await runner.run({ images, labels }, 0.05, s + 1);
    const used = process.cpuUsage(cpu);
    if (s > 0) {
      times.push(performance.now() - t);
      cpuTimes.push((used.user + used.system) / 1000);
    }
  }
  const msByGraph = Object.fromEntries(Object.entries(totals).map(([k, v]) => [k, v / opts.steps]));
  const result = { row: row.name, batch: row.batch, chunk: row.chunk, msPerStep: median(times), cpuMsPerStep: median(cpuTimes), peakRssMb: process.resourceUsage().maxRSS / 1024, msByGraph };
  await runner.release();
  return result;
}

function runChild(row: Row): Result {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', row.name, '--steps', String(opts.steps), '--threads', String(opts.threads), '--model', opts.model];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 16 << 20 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error(`${row.name} failed (exit ${child.status}):\n${child.stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as Result;
}

const rowNamed = (name: string): Row => {
  const row = ROWS.find((r) => r.name === name);
  if (!row) throw new Error(`unknown row '${name}' (rows: ${ROWS.map((r) => r.name).join(', ')})`);
  return row;
};

if (opts.child) {
  console.log(`RESULT ${JSON.stringify(await measure(rowNamed(opts.child)))}`);
} else {
  // Rounds alternate the order of the rows, so that a drift in machine speed does not favour any of them.
  const runs = new Map<string, Result[]>(opts.rows.map((name) => [name, []]));
  for (let round = 0; round < opts.rounds; round++) {
    for (const name of round % 2 === 0 ? opts.rows : [...opts.rows].reverse()) {
      const r = runChild(rowNamed(name));
      runs.get(name)!.push(r);
      console.error(`round ${round + 1}/${opts.rounds}: ${name} ${(r.msPerStep / 1000).toFixed(1)} s per step, ${r.peakRssMb.toFixed(0)} MB`);
    }
  }
  const results = opts.rows.map((name) => {
    const all = runs.get(name)!;
    const mid = [...all].sort((a, b) => a.msPerStep - b.msPerStep)[Math.floor(all.length / 2)]!;
    return { ...mid, cpuMsPerStep: median(all.map((r) => r.cpuMsPerStep)), peakRssMb: median(all.map((r) => r.peakRssMb)) };
  });
  const fused = results.find((r) => r.row === 'fused128');
  const imagesPerS = (r: Result): number => (r.batch / r.msPerStep) * 1000;
  const cpuPerImage = (r: Result): number => r.cpuMsPerStep / r.batch;
  const share = (r: Result, graph: string): string => (r.msByGraph[graph] === undefined ? '-' : `${((100 * r.msByGraph[graph]) / r.msPerStep).toFixed(0)}%`);
  const header = ['row', 'batch', 'chunk', 'img/s', 's/step', 'CPU s/step', 'peak RSS MB', 'RSS / fused128', 'time / image vs fused128', 'CPU / image vs fused128', 'forward', 'loss', 'backward', 'apply'];
  const cells = results.map((r) => [
    r.row, String(r.batch), r.chunk > 0 ? `${r.chunk} rows` : r.row.startsWith('split') ? 'whole' : 'fused', imagesPerS(r).toFixed(1), (r.msPerStep / 1000).toFixed(1), (r.cpuMsPerStep / 1000).toFixed(1),
    r.peakRssMb.toFixed(0), fused ? `${(r.peakRssMb / fused.peakRssMb).toFixed(2)}x` : '-', fused ? `${(imagesPerS(fused) / imagesPerS(r)).toFixed(2)}x` : '-',
    fused ? `${(cpuPerImage(r) / cpuPerImage(fused)).toFixed(2)}x` : '-',
    share(r, 'forward'), share(r, 'loss'), r.row.startsWith('split') ? share(r, 'gradient') : share(r, 'backward'), share(r, 'apply'),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
  console.log(`${opts.model} (32x32, 2 views per image, SGD momentum), stage 1 on the CPU EP; ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${opts.threads} threads;`);
  console.log(`the median round of ${opts.rounds}, each ${opts.steps} step(s) after a warm-up; forward/loss/backward/apply: share of the step per graph (split128's backward column is its one gradient graph);`);
  console.log(`time (CPU) / image vs fused128 > 1: slower (more work) per image than the fused step; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`);
}
