// Experiment grids through the queue, end to end with real parts: Debian's redis-server, `worker`
// processes started through their entry point, each running its cells in child processes, and the CLI.
// One tiny grid (small CNN of width 4 on a generated 16x16 image folder, 4 cells) runs locally first; the
// same spec through the queue must give the same table and the same weights, whatever is killed on the way.

import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Command } from 'commander';
import { specCells, specPoints } from '../../src/cli/experiment_spec.ts';
import type { CellJob } from '../../src/queue/cells.ts';
import { cellDir, cellJobId } from '../../src/queue/cells.ts';
import { type CellStatus, cellStatuses, enqueueCells, settled, withQueue } from '../../src/queue/grid_queue.ts';
import type { ResultRow } from '../../src/report/index.ts';
import { loadWeights } from '../../src/train/checkpoint.ts';
import { experiment } from '../../src/train/compare.ts';
import { type MetricsRecord, readMetrics } from '../../src/train/metrics_log.ts';
import { writeColourDataset } from '../train/fixtures.ts';
import { REDIS_MISSING, type RedisServer, startRedis } from './redis_server.ts';

const ROOT = process.cwd();
const work = mkdtempSync(join(tmpdir(), 'supcon-queue-'));
const store = join(work, 'store');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `probe`'s first defined answer, polled every `everyMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000, everyMs = 10): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${workerLogs()}`);
    await sleep(everyMs);
  }
}

interface WorkerProcess {
  child: ChildProcess;
  log: () => string;
}
const workers: WorkerProcess[] = [];
const workerLogs = (): string => workers.map((w, i) => `--- worker ${i + 1} ---\n${w.log().split('\n').filter((l) => !l.includes(' | ')).join('\n')}`).join('\n');

function startWorker(url: string, lockMs: number): WorkerProcess {
  const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/worker.ts', '--queue', url, '--runs', store, '--threads', '1', '--lock-duration', String(lockMs)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const worker = { child, log: () => log };
  workers.push(worker);
  return worker;
}

function stopWorker(w: WorkerProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (w.child.exitCode !== null || w.child.signalCode !== null) return Promise.resolve(w.child.exitCode);
  const exited = new Promise<number | null>((resolve) => w.child.once('exit', (code) => resolve(code)));
  w.child.kill(signal);
  return exited;
}

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/cli/main.ts', ...args], { cwd: ROOT, encoding: 'utf8' });

/** A tiny two-stage / baseline run: a few dozen steps of a width-4 small CNN, checkpoints every 2 steps. */
const BASE = {
  imageSize: 16, workers: 0, threads: 1, checkpointEvery: 2, export: false,
  model: { width: 4 },
  stage1: { epochs: 6, batchSize: 12, warmupEpochs: 0 },
  stage2: { epochs: 2, batchSize: 12 },
  baseline: { epochs: 6, batchSize: 12, warmupEpochs: 0, schedule: { kind: 'constant' } },
  eval: { knnBank: 48, knnQueries: 18, knnK: 5 },
};

function writeSpec(name: string, spec: Record<string, unknown>): string {
  const path = join(work, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, ...spec }));
  return path;
}

const cellsOf = (path: string): CellJob[] => specCells(specPoints(path, new Command()), undefined);
const metricsOf = (cell: CellJob): MetricsRecord[] => {
  const path = join(cellDir(store, cell), 'metrics.jsonl');
  return existsSync(path) ? readMetrics(readFileSync(path, 'utf8')) : [];
};
/** The highest step the cell's run has logged. */
const lastStep = (cell: CellJob): number => Math.max(0, ...metricsOf(cell).flatMap((r) => (r.kind === 'step' && typeof r.step === 'number' ? [r.step] : [])));
/** True once the cell has checkpointed (every 2 steps) and gone on, while it still trains. */
const midCell = (cell: CellJob): true | undefined => {
  if (metricsOf(cell).some((r) => r.kind === 'done')) throw new Error(`${cell.label} finished before it could be interrupted`);
  return lastStep(cell) >= 3 ? true : undefined;
};
const statusesOf = (url: string, cells: readonly CellJob[]): Promise<CellStatus[]> => withQueue(url, (q) => cellStatuses(q, cells));
const settledStatuses = (url: string, cells: readonly CellJob[], timeoutMs = 180_000) =>
  until('cells to settle', async () => {
    const s = await statusesOf(url, cells).catch(() => undefined);
    return s && settled(s) ? s : undefined;
  }, timeoutMs, 250);
/** The pid of the worker that runs (or ran) job `id`: its name is host:pid. */
const workerPid = async (url: string, id: string): Promise<number | undefined> => {
  const processedBy = await withQueue(url, async (q) => (await q.getJob(id))?.processedBy);
  return processedBy === undefined ? undefined : Number(processedBy.slice(processedBy.lastIndexOf(':') + 1));
};
/** The results-table columns that runs reproduce exactly (everything but speed and wall time). */
const deterministic = (row: ResultRow): ResultRow => Object.fromEntries(Object.entries(row).filter(([k]) => k !== 'images/s' && k !== 'wall s'));

function sameWeights(a: string, b: string): void {
  const x = loadWeights(a);
  const y = loadWeights(b);
  assert.deepEqual([...x.keys()].sort(), [...y.keys()].sort());
  for (const [name, t] of x) assert.deepEqual(y.get(name)!.data, t.data, `${name} differs`);
}

describe('experiment grids on a Redis queue (BullMQ)', { skip: REDIS_MISSING }, () => {
  let redis: RedisServer;
  let dataset = '';
  let grid = '';
  let cells: CellJob[] = [];
  let localDir = '';
  let localRows: ResultRow[] = [];

  before(async () => {
    dataset = await writeColourDataset();
    grid = writeSpec('grid', { base: { dataset, ...BASE }, grid: { optimizer: ['sgd', 'adam'], method: ['supcon', 'ce'] } });
    cells = cellsOf(grid);
    // The local `experiment` writes into ./artifacts/runs/<name>: run it from the temporary folder.
    process.chdir(work);
    try {
      const { points, spec } = specPoints(grid, new Command());
      const local = await experiment(spec.name, points, false);
      localDir = local.dir;
      localRows = local.rows;
    } finally {
      process.chdir(ROOT);
    }
    redis = await startRedis();
  });

  after(async () => {
    await Promise.all(workers.map((w) => stopWorker(w, 'SIGKILL')));
    await redis?.destroy();
    for (const dir of [work, dataset].filter(Boolean)) rmSync(dir, { recursive: true, force: true });
  });

  test('a spec enqueued twice adds its cells once', async () => {
    const first = cli('experiment', grid, '--queue', redis.url, '--backoff', '500');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /grid: 4 cells on redis:\/\/127\.0\.0\.1:\d+: 4 added, 0 already queued/);
    const again = await withQueue(redis.url, (q) => enqueueCells(q, cells, { attempts: 3, backoffMs: 500, retryFailed: false }));
    assert.deepEqual([again.added, again.present], [[], cells.map(cellJobId)]);
    const counts = await withQueue(redis.url, (q) => q.getJobCounts('waiting'));
    assert.equal(counts.waiting, 4);
  });

  test('a SIGKILLed worker and a killed cell process: both cells resume from their checkpoints, to the local weights', async () => {
    startWorker(redis.url, 2000);
    startWorker(redis.url, 2000);
    const [killedByWorker, , killedAlone] = [cells[0]!, cells[1]!, cells[2]!];

    // The worker running cell 0 dies once the cell has checkpointed and gone on.
    await until('cell 0 past its first checkpoint', () => midCell(killedByWorker));
    const owner = await workerPid(redis.url, cellJobId(killedByWorker));
    const victim = workers.find((w) => w.child.pid === owner)!;
    assert.ok(victim, `cell 0 runs on a started worker (${owner})`);
    await stopWorker(victim, 'SIGKILL');
    const stepAtKill = lastStep(killedByWorker);
    startWorker(redis.url, 2000);

    // Cell 2's own process dies as an out-of-memory kill would end it; its worker lives on.
    await until('cell 2 past its first checkpoint', () => midCell(killedAlone));
    const parent = await workerPid(redis.url, cellJobId(killedAlone));
    const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).map(Number);
    assert.equal(children.length, 1, 'one cell process per worker slot');
    process.kill(children[0]!, 'SIGKILL');

    const statuses = await settledStatuses(redis.url, cells);
    assert.deepEqual(statuses.map((s) => s.state), ['done', 'done', 'done', 'done'], workerLogs());
    assert.equal(workers.filter((w) => w.child.exitCode === null && w.child.signalCode === null).length, 2, 'two workers alive');

    for (const [cell, how] of [[killedByWorker, 'its worker was killed'], [killedAlone, 'its process was killed']] as const) {
      const records = metricsOf(cell);
      const starts = records.flatMap((r, i) => (r.kind === 'start' ? [i] : []));
      assert.equal(starts.length, 2, `${how}: started twice`);
      assert.equal(records[starts[1]!]!.resumed, true, `${how}: the second start resumed`);
      const firstStep = records.slice(starts[1]).find((r) => r.kind === 'step')!;
      assert.ok(typeof firstStep.step === 'number' && firstStep.step >= 3, `${how}: resumed at step ${String(firstStep.step)}, not from step 0`);
      assert.equal(records.filter((r) => r.kind === 'done').length, 1, `${how}: finished once`);
    }
    assert.ok(stepAtKill < 6 * 4 + 2 * 4, 'killed mid-cell');
    const retried = statuses[2]!;
    assert.equal(retried.attempts, 2);
    assert.match(retried.error ?? '', /the cell's process was killed by SIGKILL \(out of memory\?\)/, 'the failed try says why');
    assert.equal(statuses[0]!.attempts, 2, 'the vanished worker\'s cell was started again');

    for (const [i, cell] of cells.entries()) sameWeights(join(localDir, `${i}`, 'final.safetensors'), join(cellDir(store, cell), 'final.safetensors'));
  });

  test('experiment status prints the local results table and writes results.md; every run has its report', async () => {
    const status = cli('experiment', 'status', grid, '--queue', redis.url, '--runs', store);
    assert.equal(status.status, 0, status.stderr);
    for (const cell of cells) assert.match(status.stdout, new RegExp(`\\| ${cell.label} \\| done \\| [12] \\|`));
    const rows = JSON.parse(readFileSync(join(store, 'grid', 'rows.json'), 'utf8')) as ResultRow[];
    assert.deepEqual(rows.map(deterministic), localRows.map(deterministic), 'same table as the local experiment');
    assert.ok(typeof rows[0]!['test acc'] === 'number' && rows[0]!['test acc'] > 0.5, `test accuracy ${String(rows[0]!['test acc'])}`);
    assert.ok(readFileSync(join(store, 'grid', 'results.md'), 'utf8').includes('| optimizer=adam, method=ce | grid-3 | cross-entropy |'));
    for (const cell of cells) assert.ok(existsSync(join(cellDir(store, cell), 'report', 'report.html')), `${cell.label}: report`);
  });

  test('a cell whose config does not fit its data set fails once with its message; the others finish', async () => {
    const bad = writeSpec('bad-grid', { base: { dataset, ...BASE, method: 'ce', baseline: { ...BASE.baseline, epochs: 1 } }, grid: { batchSize: [12, 480] } });
    const badCells = cellsOf(bad);
    await withQueue(redis.url, (q) => enqueueCells(q, badCells, { attempts: 3, backoffMs: 500, retryFailed: false }));
    const [fine, invalid] = await settledStatuses(redis.url, badCells);
    assert.equal(fine!.state, 'done');
    assert.deepEqual([invalid!.state, invalid!.attempts], ['failed', 1], 'one try: no retries for a permanent failure');
    assert.match(invalid!.error ?? '', /baseline: batch size 480 leaves no full batch in the 48 training images: lower --batch-size/);
    const job = await withQueue(redis.url, (q) => q.getJob(cellJobId(badCells[1]!)));
    assert.equal(job?.attemptsMade, 1);
    assert.ok(!existsSync(join(cellDir(store, badCells[1]!), 'checkpoint.safetensors')), 'nothing trained');
    // --retry-failed puts it back (say, after the data set was fixed); here it fails the same way again.
    const again = await withQueue(redis.url, (q) => enqueueCells(q, badCells, { attempts: 3, backoffMs: 500, retryFailed: true }));
    assert.deepEqual([again.added, again.present, again.retried], [[], [cellJobId(badCells[0]!)], [cellJobId(badCells[1]!)]]);
    const [, retried] = await settledStatuses(redis.url, badCells);
    assert.deepEqual([retried!.state, retried!.attempts], ['failed', 1]);
  });

  test('a worker stopped with SIGTERM mid-cell puts it back at once, without using up a try; another resumes it', async () => {
    const spec = JSON.parse(readFileSync(grid, 'utf8')) as { base: Record<string, unknown> };
    const [cell] = cellsOf(writeSpec('stop-grid', { base: spec.base, grid: { optimizer: ['sgd'], method: ['supcon'] } }));
    await withQueue(redis.url, (q) => enqueueCells(q, [cell!], { attempts: 1, backoffMs: 500, retryFailed: false }));
    await until('the cell past its first checkpoint', () => midCell(cell!));
    const owner = await workerPid(redis.url, cellJobId(cell!));
    const stopped = workers.find((w) => w.child.pid === owner)!;
    assert.equal(await stopWorker(stopped, 'SIGTERM'), 0, stopped.log());
    const [status] = await settledStatuses(redis.url, [cell!]);
    // One attempt allowed: had the stop counted as a failed try, the cell would have failed.
    assert.deepEqual([status!.state, status!.error], ['done', undefined], workerLogs());
    const job = await withQueue(redis.url, (q) => q.getJob(cellJobId(cell!)));
    assert.equal(job?.attemptsMade, 1, 'only the finishing try counts');
    const starts = metricsOf(cell!).filter((r) => r.kind === 'start');
    assert.deepEqual(starts.map((r) => r.resumed === true), [false, true], 'the second start resumed from the checkpoint');
    sameWeights(join(localDir, '0', 'final.safetensors'), join(cellDir(store, cell!), 'final.safetensors'));
  });

  test('Redis stopped and restarted mid-grid: workers reconnect; nothing is lost or run twice', async () => {
    // Workers stop on SIGTERM at once when idle; the next ones hold locks longer than the outage.
    for (const w of workers.filter((x) => x.child.exitCode === null && x.child.signalCode === null)) assert.equal(await stopWorker(w, 'SIGTERM'), 0);
    const restartWorkers = [startWorker(redis.url, 10_000), startWorker(redis.url, 10_000)];
    const spec = JSON.parse(readFileSync(grid, 'utf8')) as { base: Record<string, unknown> };
    const restart = writeSpec('restart-grid', { base: spec.base, grid: { optimizer: ['sgd'], method: ['supcon', 'ce'] } });
    const restartCells = cellsOf(restart);
    await withQueue(redis.url, (q) => enqueueCells(q, restartCells, { attempts: 3, backoffMs: 500, retryFailed: false }));

    await until('a restart cell past its first checkpoint', () => midCell(restartCells[0]!));
    await redis.stop();
    await sleep(1500);
    await redis.start();

    const statuses = await settledStatuses(redis.url, restartCells);
    assert.deepEqual(statuses.map((s) => s.state), ['done', 'done'], workerLogs());
    for (const cell of restartCells) {
      const records = metricsOf(cell);
      assert.deepEqual([records.filter((r) => r.kind === 'start').length, records.filter((r) => r.kind === 'done').length], [1, 1], `${cell.label}: trained once, finished once`);
    }
    // The same configurations as the local grid's first two cells (only the name differs): the same weights.
    for (const [i, cell] of restartCells.entries()) sameWeights(join(localDir, `${i}`, 'final.safetensors'), join(cellDir(store, cell), 'final.safetensors'));
    assert.ok(restartWorkers.some((w) => /connected to redis:\/\/127\.0\.0\.1:\d+ again/.test(w.log())), workerLogs());
    assert.ok(readdirSync(join(store, 'restart-grid')).length === 2);
  });
});
