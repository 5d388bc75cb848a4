// Overload: many more concurrent requests than the server holds. The excess is refused with 503 and
// Retry-After before its body is read, the accepted requests finish with right answers, and the
// server's memory (its own process) does not grow with the refused bodies.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { exportColourModel, tempDir } from '../export/fixtures.ts';
import { largeImage } from './images.ts';
import { startServer, type ServerProcess } from './processes.ts';

const MAX_QUEUE = 4;
const CONCURRENT = 96;

describe('overload (own process, 1 worker, --max-queue 4)', () => {
  let dir: string;
  let server: ServerProcess;
  before(async () => {
    dir = await tempDir('overload');
    await exportColourModel(dir);
    server = await startServer('scripts/serve.ts', ['--model', dir, '--port', '0', '--workers', '1', '--max-batch', '1', '--max-queue', String(MAX_QUEUE), '--max-pixels', String(2 ** 26), '--max-bytes', String(4 << 20)]);
  });
  after(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  test(`4 rounds of ${CONCURRENT} concurrent 1 MB uploads: the excess gets 503 at once, the accepted finish, RSS stays flat`, async (t) => {
    const body = await largeImage([230, 25, 20], 6000); // ~1 MB, ~40 ms of worker time each
    const once = async (): Promise<{ status: number; ms: number; label: unknown; code: unknown; retryAfter: string | null }> => {
      const t0 = performance.now();
      const res = await fetch(`${server.url}/predict`, { method: 'POST', body });
      const json = (await res.json()) as { predictions?: { label: string }[]; error?: { code: string } };
      return { status: res.status, ms: performance.now() - t0, label: json.predictions?.[0]?.label, code: json.error?.code, retryAfter: res.headers.get('retry-after') };
    };
    assert.equal((await once()).label, 'red');
    const rssIdle = await server.rssMiB();
    // Round 0 opens the connections and grows the buffers 96 concurrent uploads need; rounds 1-3 must not grow further.
    const round = (): Promise<Awaited<ReturnType<typeof once>>[]> => Promise.all(Array.from({ length: CONCURRENT }, once));
    const results = await round();
    const rssBefore = await server.rssMiB();
    for (let i = 1; i <= 3; i++) results.push(...(await round()));
    const rssAfter = await server.rssMiB();

    const accepted = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 503);
    assert.equal(accepted.length + refused.length, results.length, `statuses: ${[...new Set(results.map((r) => r.status))].join(', ')}`);
    assert.ok(accepted.every((r) => r.label === 'red'));
    assert.ok(refused.every((r) => r.code === 'overloaded' && r.retryAfter === '1'));
    assert.ok(accepted.length >= MAX_QUEUE && refused.length >= results.length / 2, `${accepted.length} accepted, ${refused.length} refused`);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const [refusedMs, acceptedMs] = [median(refused.map((r) => r.ms)), median(accepted.map((r) => r.ms))];
    t.diagnostic(`${results.length} requests: ${accepted.length} accepted (median ${acceptedMs.toFixed(0)} ms), ${refused.length} refused with 503 (median ${refusedMs.toFixed(0)} ms)`);
    const refusedMiB = (results.slice(CONCURRENT).filter((r) => r.status === 503).length * body.length) / 2 ** 20; // rounds 1-3
    t.diagnostic(`server RSS: ${rssIdle.toFixed(0)} MiB idle, ${rssBefore.toFixed(0)} MiB after round 0, ${rssAfter.toFixed(0)} MiB after rounds 1-3 (${refusedMiB.toFixed(0)} MiB of refused bodies)`);
    assert.ok(refusedMs < acceptedMs, 'refusals do not wait for the queue');
    // Holding the refused bodies would grow it by all of them.
    assert.ok(rssAfter - rssBefore < refusedMiB / 2, `RSS grew ${(rssAfter - rssBefore).toFixed(0)} MiB over rounds 1-3`);
    assert.ok(server.alive());
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { held: number; queued: number };
    assert.deepEqual([health.held, health.queued], [0, 0], 'nothing left behind');
  });
});
