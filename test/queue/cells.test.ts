// The queue's pieces without a queue: cell ids and folders, progress read from a growing metrics log,
// which failures are retried, the --queue URL, and the errors a user meets before anything is enqueued.

import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Command } from 'commander';
import { specCells, specPoints } from '../../src/cli/experiment_spec.ts';
import { resolveTrainConfig } from '../../src/config/resolve.ts';
import { isPermanent } from '../../src/queue/cell_process.ts';
import { type CellJob, cellDir, cellJobId } from '../../src/queue/cells.ts';
import { redisOptions, shownUrl } from '../../src/queue/connection.ts';
import { withQueue } from '../../src/queue/grid_queue.ts';
import { type CellProgress, MetricsTail, foldProgress } from '../../src/queue/progress.ts';
import type { MetricsRecord } from '../../src/train/metrics_log.ts';

const cell = (overrides: Record<string, unknown> = {}, minutes?: number): CellJob => ({
  experiment: 'grid', index: 1, label: 'optimizer=adam',
  config: resolveTrainConfig([{ source: 'test', values: { name: 'grid-1', ...overrides } }]),
  ...(minutes === undefined ? {} : { minutes }),
});

test('a cell\'s id and folder derive from its configuration and budget alone', () => {
  const id = cellJobId(cell());
  assert.match(id, /^grid-1-[0-9a-f]{12}$/);
  assert.equal(cellJobId(cell()), id, 'the same cell, the same id');
  assert.notEqual(cellJobId(cell({ seed: 1 })), id, 'another config, another id');
  assert.notEqual(cellJobId(cell({}, 5)), id, 'another budget, another id');
  assert.equal(cellDir('/store', cell()), `/store/grid/1-${id.slice(-12)}`);
  assert.doesNotMatch(cellJobId({ ...cell(), experiment: 'a:b' }), /:/, 'BullMQ ids may not contain ":"');
});

test('an experiment spec becomes its cells in table order, baselines included; an invalid one is refused before anything is queued', () => {
  const dir = mkdtempSync(join(tmpdir(), 'supcon-spec-'));
  const spec = join(dir, 'grid.json');
  writeFileSync(spec, JSON.stringify({ name: 'g', baseline: true, base: { stage1: { epochs: 3 } }, grid: { optimizer: ['sgd', 'adam'] } }));
  const cells = specCells(specPoints(spec, new Command()), 2);
  assert.deepEqual(cells.map((c) => [c.index, c.label, c.config.name, c.config.method, c.minutes]), [
    [0, 'optimizer=sgd', 'g-0', 'supcon', 2], [1, 'optimizer=sgd, cross-entropy', 'g-1', 'ce', 2],
    [2, 'optimizer=adam', 'g-2', 'supcon', 2], [3, 'optimizer=adam, cross-entropy', 'g-3', 'ce', 2],
  ]);
  assert.equal(new Set(cells.map(cellJobId)).size, 4);
  writeFileSync(spec, JSON.stringify({ name: 'g', grid: { lr: [0.1, -1] } }));
  assert.throws(() => specPoints(spec, new Command()), /stage1\.lr \(--lr\) is -1/);
  writeFileSync(spec, '{ "name": ');
  assert.throws(() => specPoints(spec, new Command()), /experiment spec .*grid\.json: /);
});

test('progress follows the metrics log as it grows, whole lines only', () => {
  const path = join(mkdtempSync(join(tmpdir(), 'supcon-tail-')), 'metrics.jsonl');
  const tail = new MetricsTail(path);
  assert.deepEqual(tail.read(), [], 'no log yet');
  const epochs = (stage: string) => (stage === 'stage1' ? 3 : 2);
  const fold = (p: CellProgress | undefined, records: MetricsRecord[]) => records.reduce<CellProgress | undefined>((q, r) => foldProgress(q, r, epochs), p);
  appendFileSync(path, '{"kind":"start"}\n{"kind":"step","stage":"stage1","epoch":0,"step":1,"loss":2.5}\n{"kind":"step","stage":"st');
  let progress = fold(undefined, tail.read());
  assert.deepEqual(progress, { stage: 'stage1', epoch: 1, epochs: 3, step: 1, loss: 2.5 });
  appendFileSync(path, 'age1","epoch":0,"step":2,"loss":2.25}\n{"kind":"epoch","stage":"stage1","epoch":0,"step":2,"loss":2.4,"knn_accuracy":0.75}\n');
  const records = tail.read();
  assert.equal(records.length, 2, 'the torn line, completed, and the next');
  progress = fold(progress, records);
  assert.deepEqual(progress, { stage: 'stage1', epoch: 1, epochs: 3, step: 2, loss: 2.4, knnAccuracy: 0.75 });
  appendFileSync(path, '{"kind":"step","stage":"stage2","epoch":1,"step":7,"loss":0.5,"accuracy":0.8}\n{"kind":"done","test_accuracy":0.9}\n');
  progress = fold(progress, tail.read());
  assert.deepEqual(progress, { stage: 'stage2', epoch: 2, epochs: 2, step: 7, loss: 0.5, accuracy: 0.8, testAccuracy: 0.9 }, 'a new stage drops the old evaluations');
});

test('deterministic failures are permanent; I/O trouble and exhausted memory are retried', () => {
  assert.equal(isPermanent(new Error('baseline: batch size 480 leaves no full batch')), true);
  assert.equal(isPermanent(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' })), true);
  assert.equal(isPermanent(Object.assign(new Error('EIO: i/o error, write'), { code: 'EIO' })), false);
  assert.equal(isPermanent(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' })), false);
  assert.equal(isPermanent(new Error('[ONNXRuntimeError] : 6 : RUNTIME_EXCEPTION : std::bad_alloc')), false);
});

test('--queue URLs: host, port, database, credentials; malformed ones name what is wrong', () => {
  const o = redisOptions('redis://user:p%40ss@queue.example:6380/2', true);
  assert.deepEqual([o.host, o.port, o.db, o.username, o.password, o.tls], ['queue.example', 6380, 2, 'user', 'p@ss', undefined]);
  assert.deepEqual([redisOptions('rediss://h', false).port, redisOptions('rediss://h', false).tls], [6379, {}]);
  assert.equal(shownUrl('redis://user:secret@h:1'), 'redis://user:***@h:1');
  assert.throws(() => redisOptions('localhost:6379', true), /expected redis:\/\/ or rediss:\/\//);
  assert.throws(() => redisOptions('http://h:1', true), /expected redis:\/\/ or rediss:\/\/, not http:/);
  assert.throws(() => redisOptions('redis://h:1/x', true), /the database after the host must be an integer >= 0, not 'x'/);
});

test('a Redis that is not there is an error naming its URL, within seconds', async () => {
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
  const started = Date.now();
  await assert.rejects(withQueue(`redis://127.0.0.1:${port}`, (q) => q.getJobCounts()), new RegExp(`cannot reach Redis at redis://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  assert.ok(Date.now() - started < 10_000);
});
