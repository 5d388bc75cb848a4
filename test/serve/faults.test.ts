// Faults in the inference server: a worker killed mid-request, a worker stuck past the timeout, a
// client that goes away while queued, shutdown with requests still running. Nothing may hang.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { createInferenceServer, type InferenceServer } from '../../src/serve/http_server.ts';
import { exportColourModel, tempDir } from '../export/fixtures.ts';
import { largeImage, solidImage } from './images.ts';

interface Json { [k: string]: unknown }
const RED = [230, 25, 20] as const;
const BLUE = [20, 30, 240] as const;
// A batch of 8 large images (8192 x 8192, ~60 ms each to decode) keeps the one worker busy ~0.3 s.
const BUSY_BATCH = 8;
const LIMITS = { workers: 1, maxBatch: 2 * BUSY_BATCH, maxPixels: 2 ** 27, maxBytes: 4 << 20 };

let dir: string;
let large: Uint8Array<ArrayBuffer>;
let red: Uint8Array<ArrayBuffer>;

async function post(base: string, body: Uint8Array<ArrayBuffer>, signal?: AbortSignal): Promise<{ status: number; json: Json; ms: number; retryAfter: string | null }> {
  const t0 = performance.now();
  const res = await fetch(`${base}/predict`, { method: 'POST', body, ...(signal ? { signal } : {}) });
  return { status: res.status, json: (await res.json()) as Json, ms: performance.now() - t0, retryAfter: res.headers.get('retry-after') };
}
const code = (json: Json): unknown => (json['error'] as Json | undefined)?.['code'];
const top1 = (json: Json): unknown => (json['predictions'] as Json[] | undefined)?.[0]?.['label'];

async function until(what: string, check: () => boolean | Promise<boolean>, limitMs = 20_000): Promise<number> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  return performance.now() - t0;
}

async function start(timeoutMs: number, log: string[]): Promise<{ app: InferenceServer; base: string }> {
  const app = await createInferenceServer({ modelPath: dir, ...LIMITS, timeoutMs, log: (l) => log.push(l) });
  return { app, base: `http://127.0.0.1:${(await app.listen(0)).port}` };
}

describe('inference server faults (colour model, 1 worker)', () => {
  before(async () => {
    dir = await tempDir('faults');
    [large, red] = await Promise.all([largeImage(BLUE, 8192), solidImage(RED, 16, 16), exportColourModel(dir)]);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('a worker killed mid-request: 503 at once, /healthz 503 until the replacement is ready, queued and later requests answered', async (t) => {
    const log: string[] = [];
    const { app, base } = await start(10_000, log);
    try {
      const killed = post(base, large);
      await until('the large request to reach the worker', () => app.pool.stats().running === 1);
      const queued = post(base, red);
      await until('the second request to queue', () => app.pool.stats().queued === 1);
      const killedAt = performance.now();
      await app.pool.workerThreads()[0]!.terminate();
      const a = await killed;
      const answeredMs = performance.now() - killedAt;
      assert.equal(a.status, 503);
      assert.equal(code(a.json), 'unavailable');
      assert.equal(a.retryAfter, '1');
      const health = await fetch(`${base}/healthz`);
      assert.equal(health.status, 503);
      const h = (await health.json()) as Json;
      assert.equal(h['status'], 'unavailable');
      assert.deepEqual([h['workers'], h['starting'], h['restarts'], h['queued']], [0, 1, 1, 1]);
      const refused = await post(base, red);
      assert.equal(refused.status, 503, 'no worker ready: a new request is refused at once, not queued');
      // The queued request waits for the replacement instead of failing.
      const q = await queued;
      const recoveryMs = performance.now() - killedAt;
      assert.equal(q.status, 200);
      assert.equal(top1(q.json), 'red');
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal(top1((await post(base, red)).json), 'red');
      assert.match(log.join('\n'), /exited \(code 1\); starting a replacement in 100 ms/);
      t.diagnostic(`the killed request got its 503 ${answeredMs.toFixed(0)} ms after the kill; the replacement answered the queued one after ${recoveryMs.toFixed(0)} ms`);
    } finally {
      await app.close(0);
    }
  });

  test('a client that goes away while queued is dropped before it reaches a worker', async () => {
    const { app, base } = await start(10_000, []);
    try {
      const busy = post(base, large);
      await until('the large request to reach the worker', () => app.pool.stats().running === 1);
      const gone = new AbortController();
      const dropped = post(base, red, gone.signal).catch((err: unknown) => err);
      await until('the second request to queue', () => app.pool.stats().queued === 1);
      gone.abort();
      assert.ok((await dropped) instanceof Error);
      await until('the drop', () => app.pool.stats().dropped === 1);
      assert.equal((await busy).status, 200);
      const s = app.pool.stats();
      assert.deepEqual([s.queued, s.answered], [0, 1], 'the worker answered the large request only');
    } finally {
      await app.close(0);
    }
  });

  test('past the timeout: 503 timeout, and a worker stuck on one batch is replaced', async (t) => {
    const log: string[] = [];
    // One large image takes ~60 ms to decode: three times this timeout.
    const { app, base } = await start(20, log);
    try {
      const a = await post(base, large);
      assert.equal(a.status, 503);
      assert.equal(code(a.json), 'timeout');
      assert.match(String((a.json['error'] as Json)['message']), /not answered within 20 ms/);
      assert.match(log.join('\n'), /ran one batch for over 20 ms; stopping it/);
      assert.equal((await fetch(`${base}/healthz`)).status, 503, 'the stuck worker no longer counts as ready');
      const recoveryMs = await until('the replacement', async () => (await fetch(`${base}/healthz`)).status === 200);
      const s = app.pool.stats();
      assert.deepEqual([s.timedOut, s.restarts, s.workers], [1, 1, 1]);
      t.diagnostic(`timeout 20 ms: 503 after ${a.ms.toFixed(0)} ms; the stuck worker was replaced ${recoveryMs.toFixed(0)} ms later`);
    } finally {
      await app.close(0);
    }
  });

  test('graceful shutdown drains with a deadline: running requests get 503, close() returns', async () => {
    const { app, base } = await start(10_000, []);
    const inflight = Array.from({ length: BUSY_BATCH }, () => post(base, large));
    let closing = false;
    try {
      // The first request reaches the worker alone; on a fast machine it is answered before the last arrives.
      await until('every request in the pool or answered', () => { const s = app.pool.stats(); return s.running + s.queued + s.answered === BUSY_BATCH; });
      const early = app.pool.stats().answered;
      const t0 = performance.now();
      closing = true;
      await app.close(30);
      const closeMs = performance.now() - t0;
      // The batch running at the deadline may finish inside the 30 ms; the requests queued behind it (~60 ms
      // of decoding each) cannot.
      const answers = await Promise.all(inflight);
      const statuses = answers.map((a) => a.status).join(', ');
      const cut = answers.filter((a) => a.status === 503);
      assert.ok(cut.length >= BUSY_BATCH - early - 1, `${early} answered before close; statuses ${statuses}`);
      assert.ok(answers.every((a) => a.status === 503 || a.status === 200), `statuses ${statuses}`);
      for (const a of cut) assert.match(String((a.json['error'] as Json)['message']), /shut down/);
      assert.ok(closeMs < 5000, `close took ${closeMs.toFixed(0)} ms`);
      await assert.rejects(fetch(`${base}/healthz`));
    } finally {
      if (!closing) await app.close(0);
    }
  });
});
