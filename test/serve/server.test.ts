import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInferenceServer, type InferenceServer } from '../../src/serve/http_server.ts';
import { encoderFromConfig, exportModel } from '../../src/export/export_model.ts';
import { ModelRunner } from '../../src/serve/model_runner.ts';
import { exportColourModel, randomWeights, tempDir } from '../export/fixtures.ts';
import { largeImage, noiseImage, solidImage, type Rgb } from './images.ts';

interface Json { [k: string]: unknown }

let dir: string;
let app: InferenceServer;
let base: string;
const RED: Rgb = [230, 25, 20];
const GREEN: Rgb = [15, 220, 40];
const BLUE: Rgb = [20, 30, 240];

async function post(path: string, body: Uint8Array<ArrayBuffer> | FormData | string, headers: Record<string, string> = {}): Promise<{ status: number; json: Json; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body, headers });
  return { status: res.status, json: (await res.json()) as Json, headers: res.headers };
}

const top1 = (json: Json): string | undefined => (json['predictions'] as { label: string }[] | undefined)?.[0]?.label;
const errorCode = (json: Json): string | undefined => (json['error'] as { code?: string } | undefined)?.code;

/** A raw HTTP request streaming `total` bytes in chunks without Content-Length. */
function chunkedPost(path: string, total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    const chunk = Buffer.alloc(16 * 1024, 7);
    let sent = 0;
    const write = (): void => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', write);
      }
      req.end();
    };
    write();
  });
}

describe('inference server (colour model, 2 workers)', () => {
  before(async () => {
    dir = await tempDir('serve');
    await exportColourModel(dir);
    app = await createInferenceServer({ modelPath: dir, workers: 2, maxBytes: 64 * 1024 });
    const addr = await app.listen(0);
    base = `http://127.0.0.1:${addr.port}`;
  });
  after(async () => {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('GET /healthz and /info', async () => {
    const health = (await (await fetch(`${base}/healthz`)).json()) as Json;
    assert.equal(health['status'], 'ok');
    assert.equal(health['workers'], 2);
    assert.equal(health['starting'], 0);
    const info = (await (await fetch(`${base}/info`)).json()) as Json;
    assert.deepEqual(info['classes'], ['red', 'green', 'blue']);
    assert.equal(info['modelName'], 'test-colour');
    assert.equal(info['inputSize'], 8);
    // The pixel limit follows the model: (128 x 8)^2.
    assert.deepEqual(info['limits'], { maxBytes: 64 * 1024, maxPixels: 1024 * 1024, maxQueue: 64 });
  });

  test('POST /predict with raw bytes (PNG, JPEG) and ?k=', async () => {
    const red = await post('/predict', await solidImage(RED, 30, 20), { 'content-type': 'image/png' });
    assert.equal(red.status, 200);
    assert.equal(top1(red.json), 'red');
    const preds = red.json['predictions'] as { label: string; probability: number }[];
    assert.equal(preds.length, 3);
    assert.ok(preds[0]!.probability > 0.95);
    assert.ok(Math.abs(preds.reduce((a, p) => a + p.probability, 0) - 1) < 1e-5);
    const blue = await post('/predict?k=1', await solidImage(BLUE, 13, 29, 'jpeg'), { 'content-type': 'application/octet-stream' });
    assert.equal(blue.status, 200);
    assert.deepEqual((blue.json['predictions'] as { label: string }[]).map((p) => p.label), ['blue']);
    const badK = await post('/predict?k=zero', await solidImage(BLUE, 8, 8));
    assert.equal(badK.status, 400);
  });

  test('POST /predict with multipart/form-data (file field)', async () => {
    const form = new FormData();
    form.append('note', 'ignored');
    form.append('file', new Blob([await solidImage(GREEN, 16, 16)], { type: 'image/png' }), 'green.png');
    const res = await post('/predict', form);
    assert.equal(res.status, 200);
    assert.equal(top1(res.json), 'green');
  });

  test('malformed multipart, missing file field, empty and non-image bodies give 400 JSON errors', async () => {
    const ct = { 'content-type': 'multipart/form-data; boundary=XyZ' };
    const truncated = await post('/predict', '--XyZ\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc', ct);
    assert.equal(truncated.status, 400);
    assert.equal(errorCode(truncated.json), 'bad_multipart');
    assert.match((truncated.json['error'] as { message: string }).message, /Unexpected end/);
    const garbage = await post('/predict', 'no boundary here at all', ct);
    assert.equal(errorCode(garbage.json), 'bad_multipart');
    const form = new FormData();
    form.append('image', new Blob([await solidImage(RED, 8, 8)]), 'x.png');
    const wrongField = await post('/predict', form);
    assert.equal(wrongField.status, 400);
    assert.match((wrongField.json['error'] as { message: string }).message, /no "file" part/);
    const empty = await post('/predict', new Uint8Array(0));
    assert.equal(empty.status, 400);
    assert.equal(errorCode(empty.json), 'empty_body');
    const text = await post('/predict', 'hello, I am not an image', { 'content-type': 'text/plain' });
    assert.equal(text.status, 400);
    assert.equal(errorCode(text.json), 'bad_image');
    assert.match((text.json['error'] as { message: string }).message, /not a decodable image/);
  });

  test('an image over the pixel limit gets 413 before it is decoded', async () => {
    const big = await post('/predict', await largeImage(RED, 1100), { 'content-type': 'image/png' });
    assert.equal(big.status, 413);
    assert.equal(errorCode(big.json), 'too_many_pixels');
    assert.match((big.json['error'] as { message: string }).message, /more than 1048576 pixels/);
    assert.equal(top1((await post('/predict', await solidImage(RED, 1000, 1000))).json), 'red');
  });

  test('oversized bodies get 413 (with Content-Length, and chunked)', async () => {
    const big = new Uint8Array(200 * 1024);
    const res = await post('/predict', big, { 'content-type': 'image/png' });
    assert.equal(res.status, 413);
    assert.equal(errorCode(res.json), 'payload_too_large');
    const chunked = await chunkedPost('/embed', 300 * 1024);
    assert.equal(chunked.status, 413);
    assert.match(chunked.body, /payload_too_large/);
    // The server is fine afterwards.
    assert.equal(top1((await post('/predict', await solidImage(RED, 8, 8))).json), 'red');
  });

  test('unknown routes 404, wrong methods 405 with Allow', async () => {
    const nf = await fetch(`${base}/nope`);
    assert.equal(nf.status, 404);
    assert.equal(errorCode((await nf.json()) as Json), 'not_found');
    const wrong = await fetch(`${base}/predict`);
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'POST');
    assert.equal(errorCode((await wrong.json()) as Json), 'method_not_allowed');
    assert.equal((await fetch(`${base}/healthz`, { method: 'DELETE' })).status, 405);
  });

  test('POST /embed returns the L2-normalised embedding', async () => {
    const res = await post('/embed', await solidImage(RED, 8, 8));
    assert.equal(res.status, 200);
    const emb = res.json['embedding'] as number[];
    assert.equal(res.json['dim'], 3);
    assert.ok(Math.abs(Math.hypot(...emb) - 1) < 1e-5);
    assert.ok(emb[0]! > 0 && emb[1]! < 0 && emb[2]! < 0, `red dominates: ${emb.join(', ')}`);
  });

  test('50 concurrent requests are all answered correctly', async () => {
    const colours: [string, Rgb][] = [['red', RED], ['green', GREEN], ['blue', BLUE]];
    const bodies = await Promise.all(colours.map(([, rgb], i) => solidImage(rgb, 10 + i, 12)));
    const jobs = Array.from({ length: 50 }, (_, i) => {
      const c = i % 3;
      if (i % 5 === 0) {
        const form = new FormData();
        form.append('file', new Blob([bodies[c]!]), 'x.png');
        return post('/predict', form).then((r) => ({ want: colours[c]![0], r }));
      }
      return post('/predict', bodies[c]!).then((r) => ({ want: colours[c]![0], r }));
    });
    const done = await Promise.all(jobs);
    for (const { want, r } of done) {
      assert.equal(r.status, 200);
      assert.equal(top1(r.json), want);
    }
  });
});

describe('inference server keeps its event loop free', () => {
  test('healthz answers while heavy inference runs in the workers; graceful shutdown', async () => {
    const heavyDir = await tempDir('serve-heavy');
    const size = 128;
    const encoder = encoderFromConfig({ name: 'small_cnn', stem: 'cifar', width: 32, normalize: false });
    const shape = { channels: 3 as const, inputSize: size, numClasses: 4 };
    await exportModel({ encoder, encoderName: 'small_cnn', weights: randomWeights(encoder, shape), classes: ['a', 'b', 'c', 'd'], inputSize: size, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], modelName: 'heavy', outDir: heavyDir, check: false });
    const img = await noiseImage(5, size, size);
    // Calibration: how long one worker's batch run would block a thread (here, this one).
    const maxBatch = 16;
    const runner = await ModelRunner.load(heavyDir, { threads: 1, embedding: false });
    const batch = Array.from({ length: maxBatch }, () => new Float32Array(runner.imageLength).fill(0.5));
    await runner.classify(batch.slice(0, 1), 1);
    const c0 = performance.now();
    await runner.classify(batch, 1);
    const batchMs = performance.now() - c0;
    await runner.release();

    const heavy = await createInferenceServer({ modelPath: heavyDir, workers: 2, maxBatch });
    const url = `http://127.0.0.1:${(await heavy.listen(0)).port}`;
    try {
      assert.equal((await fetch(`${url}/healthz`)).status, 200); // connection warm-up
      const lag = monitorEventLoopDelay({ resolution: 5 });
      lag.enable();
      const t0 = performance.now();
      const inflight = Array.from({ length: 3 * maxBatch }, () => fetch(`${url}/predict`, { method: 'POST', body: img }).then((r) => r.status));
      const healthLatencies: number[] = [];
      while (healthLatencies.length < 8) {
        await new Promise((r) => setTimeout(r, 20));
        const h0 = performance.now();
        const h = await fetch(`${url}/healthz`);
        healthLatencies.push(performance.now() - h0);
        assert.equal(h.status, 200);
      }
      const statuses = await Promise.all(inflight);
      const total = performance.now() - t0;
      lag.disable();
      const worst = Math.max(...healthLatencies);
      const lagMs = lag.max / 1e6;
      if (process.env['SERVE_TEST_VERBOSE']) console.log({ batchMs, total, worst, healthLatencies, lagMs });
      assert.ok(statuses.every((s) => s === 200));
      // On the main thread every healthz would wait for a whole batch run; off it, none does.
      assert.ok(total > batchMs, `inference ${total.toFixed(0)} ms, one batch ${batchMs.toFixed(0)} ms`);
      assert.ok(worst < batchMs / 2, `healthz took ${worst.toFixed(0)} ms, one batch run takes ${batchMs.toFixed(0)} ms`);
      // The lag also counts this process's client work and CPU contention; a batch run on it would be >= batchMs.
      assert.ok(lagMs < batchMs, `event loop blocked for ${lagMs.toFixed(0)} ms, one batch run takes ${batchMs.toFixed(0)} ms`);

      // Graceful shutdown: a request in flight when close() starts is still answered.
      const pending = fetch(`${url}/predict`, { method: 'POST', body: img });
      await new Promise((r) => setTimeout(r, 20));
      const closing = heavy.close();
      assert.equal((await pending).status, 200);
      await closing;
      await assert.rejects(fetch(`${url}/healthz`));
    } finally {
      await heavy.close(0).catch(() => undefined);
      await rm(heavyDir, { recursive: true, force: true });
    }
  });
});
