// The experiment queue on this machine: a 4-cell grid (small CNN, SupCon and cross-entropy, SGD and
// Adam, on a generated image folder of 3 x 160 16x16 photos) through Redis, from enqueue to the last
// cell done, on 1 worker with one ONNX Runtime thread per core, on 2 workers with half as many each, and
// on 2 workers with one per core each (oversubscribed). The workers are started and connected first;
// each starts its cell process with its first cell. Then the queue's own cost per job: cells whose runs
// have already finished (what a re-enqueued grid meets), so only the queue, the worker and its cell
// process are left. Redis is Debian's redis-server on 127.0.0.1.
// Usage: npm run bench:queue [-- --epochs 3 --width 16 --size 16]

import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { specCells, specPoints } from '../src/cli/experiment_spec.ts';
import { type CellJob, cellDir, cellJobId } from '../src/queue/cells.ts';
import { enqueueCells, withQueue } from '../src/queue/grid_queue.ts';
import { writeColourDataset } from '../test/train/fixtures.ts';
import { REDIS_MISSING, startRedis } from '../test/queue/redis_server.ts';

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return (i > 0 && Number(process.argv[i + 1])) || fallback;
};
const EPOCHS = arg('--epochs', 3);
const WIDTH = arg('--width', 16);
const SIZE = arg('--size', 16);
const OVERHEAD_JOBS = 20;
const work = mkdtempSync(join(tmpdir(), 'supcon-bench-queue-'));

function spec(name: string, dataset: string, grid: Record<string, unknown[]>): CellJob[] {
  const path = join(work, `${name}.json`);
  const base = {
    dataset, imageSize: SIZE, workers: 1, export: false, model: { width: WIDTH },
    stage1: { epochs: EPOCHS, batchSize: 32, warmupEpochs: 0 }, stage2: { epochs: EPOCHS, batchSize: 32 },
    baseline: { epochs: EPOCHS, batchSize: 32, warmupEpochs: 0 },
  };
  writeFileSync(path, JSON.stringify({ name, base, grid }));
  return specCells(specPoints(path, new Command()), undefined);
}

/** Starts `count` workers on `store` and resolves once each has connected; returns a function that stops them. */
async function startWorkers(url: string, store: string, count: number, threads: number): Promise<() => Promise<void>> {
  const children = await Promise.all(Array.from({ length: count }, () => new Promise<ReturnType<typeof spawn>>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/worker.ts', '--queue', url, '--runs', store, '--threads', String(threads)], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.on('data', (c: Buffer) => {
      log += c.toString();
      if (log.includes(' cell(s) at a time')) resolve(child);
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${log}`)));
  })));
  return async () => {
    await Promise.all(children.map((c) => new Promise((resolve) => {
      c.removeAllListeners('exit');
      c.once('exit', resolve);
      c.kill('SIGTERM');
    })));
  };
}

/** Enqueues `cells` and waits until all are done; per job: enqueued, taken and finished times (ms since epoch). */
async function runCells(url: string, cells: readonly CellJob[]): Promise<{ started: number; jobs: Array<{ taken: number; finished: number; runSeconds: number }> }> {
  const started = Date.now();
  await withQueue(url, (q) => enqueueCells(q, cells, { attempts: 1, backoffMs: 1000, retryFailed: false }));
  for (;;) {
    const jobs = await withQueue(url, (q) => Promise.all(cells.map((c) => q.getJob(cellJobId(c)))));
    const failed = jobs.find((j) => j?.failedReason);
    if (failed) throw new Error(`${failed.id} failed: ${failed.failedReason}`);
    if (jobs.every((j) => j?.finishedOn !== undefined)) {
      return { started, jobs: jobs.map((j) => ({ taken: j!.processedOn!, finished: j!.finishedOn!, runSeconds: Number(j!.returnvalue?.['wall s'] ?? 0) })) };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1);

async function main(): Promise<void> {
  if (REDIS_MISSING) throw new Error(REDIS_MISSING);
  const redis = await startRedis();
  const dataset = await writeColourDataset({ train: 160, test: 40 });
  try {
    console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; 4 cells: small_cnn width ${WIDTH}, ${SIZE}x${SIZE}, 480 train images, ${EPOCHS} epochs per stage, batch 32`);
    console.log('| workers x ORT threads | wall s (enqueue to last done) | sum of the runs\' own wall s | cells per minute |');
    console.log('|---|---:|---:|---:|');
    const cores = availableParallelism();
    const setups: Array<[workers: number, threads: number]> = [[1, cores], [2, Math.max(1, Math.floor(cores / 2))], [2, cores]];
    for (const [count, threads] of setups) {
      const store = join(work, `store-${count}x${threads}`);
      const stop = await startWorkers(redis.url, store, count, threads);
      const cells = spec(`bench-${count}x${threads}`, dataset, { optimizer: ['sgd', 'adam'], method: ['supcon', 'ce'] });
      const { started, jobs } = await runCells(redis.url, cells);
      await stop();
      const wall = Math.max(...jobs.map((j) => j.finished)) - started;
      const own = jobs.reduce((s, j) => s + j.runSeconds, 0);
      console.log(`| ${count} x ${threads} | ${seconds(wall)} | ${own.toFixed(1)} | ${(cells.length / (wall / 60000)).toFixed(1)} |`);
    }

    // Queue overhead: the first grid's finished runs copied under the ids of OVERHEAD_JOBS other cells.
    const store = join(work, 'store-overhead');
    const [count, threads] = setups[0]!;
    const finished = spec(`bench-${count}x${threads}`, dataset, { optimizer: ['sgd', 'adam'], method: ['supcon', 'ce'] })[0]!;
    const cells = spec('overhead', dataset, { seed: Array.from({ length: OVERHEAD_JOBS }, (_, i) => i) });
    for (const cell of cells) cpSync(cellDir(join(work, `store-${count}x${threads}`), finished), cellDir(store, cell), { recursive: true });
    const stop = await startWorkers(redis.url, store, 1, 1);
    const { started, jobs } = await runCells(redis.url, cells);
    await stop();
    const sorted = [...jobs].sort((a, b) => a.taken - b.taken);
    const first = sorted[0]!;
    const rest = sorted.slice(1);
    const perJob = (Math.max(...rest.map((j) => j.finished)) - first.finished) / rest.length;
    console.log(`\n| queue overhead, 1 worker, ${OVERHEAD_JOBS} cells already run | ms |`);
    console.log('|---|---:|');
    console.log(`| enqueue to first cell taken | ${first.taken - started} |`);
    console.log(`| first cell, taken to done (starts the worker's cell process) | ${first.finished - first.taken} |`);
    console.log(`| each further cell, done to done (queue round trip, IPC, reading the run's results) | ${perJob.toFixed(1)} |`);
  } finally {
    await redis.destroy();
    for (const dir of [work, dataset]) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
