// The fuzz test: over 2,000 malformed and hostile requests against the inference server and the demo
// server, each running as its own process; then a valid prediction is still right and both are alive.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Rng } from '../../src/data/rng.ts';
import { mapPool } from '../../src/data/pool.ts';
import { PAGE_FILES } from '../../web/build.ts';
import { exportColourModel, tempDir } from '../export/fixtures.ts';
import { bombs, kinds, outcome, type Target } from './hostile_requests.ts';
import { solidImage } from './images.ts';
import { startServer, type ServerProcess } from './processes.ts';
import { exchange } from './raw_http.ts';

const TIMEOUTS = { header: 1000, request: 3000 };
const SHARED = ['--port', '0', '--header-timeout', String(TIMEOUTS.header), '--request-timeout', String(TIMEOUTS.request)];

describe('fuzz: hostile requests against both servers (own processes)', () => {
  let dir: string;
  const servers = new Map<Target, ServerProcess>();

  before(async () => {
    dir = await tempDir('fuzz');
    const model = join(dir, 'model');
    const dist = join(dir, 'dist');
    await exportColourModel(model);
    // The server is under test, not the page: stand-ins for the built files.
    for (const f of PAGE_FILES) {
      await mkdir(dirname(join(dist, f)), { recursive: true });
      await writeFile(join(dist, f), `stand-in for ${f}\n`);
    }
    const [serve, web] = await Promise.all([
      startServer('scripts/serve.ts', ['--model', model, '--workers', '1', '--max-bytes', String(8 << 20), ...SHARED]),
      startServer('scripts/web.ts', ['--model', model, '--out', dist, '--no-build', ...SHARED]),
    ]);
    servers.set('serve', serve).set('web', web);
  });

  after(async () => {
    await Promise.all([...servers.values()].map((s) => s.stop()));
    await rm(dir, { recursive: true, force: true });
  });

  test('>= 2,000 malformed requests: only the right 4xx (or a hang-up), no crash, then a right answer', async (t) => {
    const rng = new Rng(9);
    const list = kinds(await bombs(), TIMEOUTS).flatMap((k) => Array.from({ length: k.count }, (_, i) => ({ kind: k, target: k.targets[i % k.targets.length]! })));
    // Shuffled, so that slow and fast requests overlap as they would in the wild.
    for (let i = list.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    assert.ok(list.length >= 2000, `${list.length} requests`);
    const tally = new Map<string, Map<string, number>>();
    const wrong: string[] = [];
    const t0 = performance.now();
    await mapPool(list, 24, async ({ kind, target }) => {
      const server = servers.get(target)!;
      const limit = kind.limitMs ?? 5000;
      const e = await exchange(server.port, kind.make(rng, target), limit);
      const o = outcome(e);
      const key = `${kind.name} (${target})`;
      const counts = tally.get(key) ?? new Map<string, number>();
      counts.set(String(o), (counts.get(String(o)) ?? 0) + 1);
      tally.set(key, counts);
      if (o === 'no answer' || !kind.ok.includes(o)) wrong.push(`${key}: ${o} after ${e.ms.toFixed(0)} ms ${e.body.slice(0, 160)}`);
    });
    const seconds = (performance.now() - t0) / 1000;
    const rows = [...tally].sort(([a], [b]) => a.localeCompare(b)).map(([key, counts]) => {
      const n = [...counts.values()].reduce((a, b) => a + b, 0);
      return `${key.padEnd(38)} ${String(n).padStart(5)}   ${[...counts].map(([o, c]) => `${o}: ${c}`).join(', ')}`;
    });
    t.diagnostic(`${list.length} hostile requests in ${seconds.toFixed(1)} s; kind (server), count, outcomes:`);
    for (const row of rows) t.diagnostic(row);
    assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} wrong answers`);

    for (const [name, s] of servers) {
      assert.ok(s.alive(), `${name} exited: ${s.stderr()}`);
      assert.doesNotMatch(s.stderr(), /internal error/, `${name} hit an internal error`);
    }
    const serve = servers.get('serve')!;
    const health = await fetch(`${serve.url}/healthz`);
    assert.equal(health.status, 200);
    const red = await fetch(`${serve.url}/predict`, { method: 'POST', body: await solidImage([230, 25, 20], 30, 20) });
    assert.equal(red.status, 200);
    assert.equal(((await red.json()) as { predictions: { label: string }[] }).predictions[0]?.label, 'red');
    const sidecar = await fetch(`${servers.get('web')!.url}/model/model.json`);
    assert.equal(sidecar.status, 200);
    assert.deepEqual(((await sidecar.json()) as { classes: string[] }).classes, ['red', 'green', 'blue']);
  });
});
