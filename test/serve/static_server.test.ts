// The demo's server serves an allow-list: the page's files and model.json / model.onnx / model.embed.onnx,
// nothing else from a run folder, nothing through a symlink out of its folder.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HttpService } from '../../src/serve/http_service.ts';
import { createStaticServer } from '../../src/serve/static_server.ts';
import { exportColourModel, tempDir } from '../export/fixtures.ts';
import { exchange } from './raw_http.ts';

describe('demo static server (allow-list)', () => {
  let dir: string;
  let run: string;
  let app: HttpService;
  let port: number;
  let base: string;
  const log: string[] = [];
  const get = (path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Response> => fetch(`${base}${path}`, { method, headers });

  before(async () => {
    dir = await tempDir('static');
    run = join(dir, 'runs', 'demo');
    const page = join(dir, 'page');
    await exportColourModel(run);
    // What else a run folder holds, and a file outside it.
    await writeFile(join(run, 'config.json'), JSON.stringify({ dataset: '/home/someone/private-photos' }));
    await writeFile(join(run, 'checkpoint.safetensors'), 'weights');
    await writeFile(join(run, 'metrics.jsonl'), '{}\n');
    await writeFile(join(dir, 'secret.txt'), 'not for the web');
    await rm(join(run, 'model.embed.onnx'));
    await symlink(join(dir, 'secret.txt'), join(run, 'model.embed.onnx')); // a link out of the folder
    await mkdir(join(page, 'ort'), { recursive: true });
    await writeFile(join(page, 'index.html'), '<!doctype html><title>demo</title>');
    await writeFile(join(page, 'real.js'), 'console.log(1);');
    await symlink('real.js', join(page, 'main.js')); // a link inside the folder is fine
    await writeFile(join(page, 'ort', 'runtime.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    await writeFile(join(page, 'notes.txt'), 'not listed');
    app = createStaticServer({ root: page, pageFiles: ['index.html', 'main.js', 'ort/runtime.wasm'], modelDir: run, allowedHosts: ['demo.example'], log: (l) => log.push(l) });
    port = (await app.listen(0)).port;
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    await app.close(0);
    await rm(dir, { recursive: true, force: true });
  });

  test('the page and the model files, with isolation headers, types, ETag and 304, HEAD, Range', async () => {
    const index = await get('/');
    assert.equal(index.status, 200);
    assert.equal(index.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(index.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(index.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.match(await index.text(), /<title>demo/);
    assert.equal(await (await get('/main.js')).text(), 'console.log(1);');
    assert.equal((await get('/ort/runtime.wasm')).headers.get('content-type'), 'application/wasm');
    const sidecar = await get('/model/model.json');
    assert.equal(sidecar.status, 200);
    assert.deepEqual(((await sidecar.json()) as { classes: string[] }).classes, ['red', 'green', 'blue']);
    const etag = sidecar.headers.get('etag');
    assert.ok(etag);
    // As a browser revalidates its cache (fetch() would add cache-control: no-cache to a conditional request).
    const revalidate = await exchange(port, (s) => void s.write(`GET /model/model.json HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: ${etag}\r\n\r\n`));
    assert.equal(revalidate.status, 304);
    const onnx = await readFile(join(run, 'model.onnx'));
    const head = await get('/model/model.onnx', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(Number(head.headers.get('content-length')), onnx.length);
    const range = await get('/model/model.onnx', { range: 'bytes=0-7' });
    assert.equal(range.status, 206);
    assert.deepEqual(Buffer.from(await range.arrayBuffer()), onnx.subarray(0, 8));
  });

  test('nothing else: run files, unlisted page files, traversal, a symlink out of the folder', async () => {
    for (const path of ['/model/config.json', '/model/checkpoint.safetensors', '/model/metrics.jsonl', '/notes.txt', '/real.js', '/model/', '/model', '/model/../config.json', '/model/%2e%2e/config.json', '/model/..%2fconfig.json', '/../secret.txt', '/model/model.embed.onnx']) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'not_found');
    }
    assert.match(log.join('\n'), /refusing model\.embed\.onnx: it resolves to .*secret\.txt, outside/);
    const post = await fetch(`${base}/`, { method: 'POST', body: 'x' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });

  test('malformed requests get 4xx and the server stays up; Host is checked', async () => {
    const bad = await exchange(port, (s) => void s.write('GET http://[/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'));
    assert.equal(bad.status, 400);
    assert.match(bad.body, /bad_url/);
    assert.equal((await exchange(port, (s) => void s.write('GET /%E0%A4%A HTTP/1.1\r\nHost: localhost\r\n\r\n'))).status, 400);
    for (const [host, status] of [['evil.example', 403], [`localhost:${port}`, 200], ['demo.example', 200], ['app.localhost', 200], ['[::1]:80', 200], ['a b', 400]] as const) {
      const e = await exchange(port, (s) => void s.write(`GET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`));
      assert.equal(e.status, status, host);
    }
    assert.equal((await get('/')).status, 200);
  });
});
