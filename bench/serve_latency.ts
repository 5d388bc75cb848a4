// Load benchmark of the inference server with autocannon: `serve` runs as its own process
// (scripts/serve.ts, default flags but --workers), the client sends POST /predict with one 32x32 PNG
// over N keep-alive connections, one request in flight on each. Per model, worker count and N:
// requests/s, p50 / p99 latency, and answers other than 200 (503 from the bounded queue, errors).
// Models have random weights (speed does not depend on them). The client runs in this process, on
// the same cores as the server: on a small machine it takes its share of them.
// Usage: npm run bench:serve [-- --duration 5]

import autocannon from 'autocannon';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { encoderFromConfig, exportModel } from '../src/export/export_model.ts';
import { buildInferenceGraph, type EncoderForward } from '../src/export/inference_graph.ts';
import { initialState } from '../src/runtime/init.ts';
import { startServer } from '../test/serve/processes.ts';

const durationArg = process.argv.indexOf('--duration');
const DURATION_S = (durationArg > 0 && Number(process.argv[durationArg + 1])) || 5;
const SIZE = 32;
const WORKERS = [1, 2];
const CONNECTIONS = [1, 16, 64];

async function exportRandom(dir: string, name: string, encoder: EncoderForward): Promise<void> {
  const spec = { channels: 3 as const, inputSize: SIZE, numClasses: 10 };
  const g = buildInferenceGraph({ encoder, ...spec, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
  const weights = new Map([...initialState(g.params.list, [], 1)].map(([k, t]) => [k, t.data as Float32Array]));
  const classes = Array.from({ length: 10 }, (_, i) => `class${i}`);
  await exportModel({ encoder, encoderName: name, weights, classes, inputSize: SIZE, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], modelName: name, outDir: dir, check: false });
}

/** Requests/s, latency and the statuses other than 200 of `duration` s of load. */
async function load(url: string, connections: number, duration: number, body: Buffer): Promise<{ result: autocannon.Result; other: string }> {
  // Requests cut off at the end of the last run still count against the queue until answered.
  while (((await (await fetch(`${url}/healthz`)).json()) as { held: number }).held > 0) await new Promise((r) => setTimeout(r, 20));
  const statuses = new Map<number, number>();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const run = autocannon({ url: `${url}/predict`, method: 'POST', body, headers: { 'content-type': 'image/png' }, connections, duration }, (err, r) => (err ? reject(err) : resolve(r)));
    run.on('response', (_client, status) => void (status !== 200 && statuses.set(status, (statuses.get(status) ?? 0) + 1)));
  });
  const other = [...statuses].map(([s, n]) => `${n} x ${s}`);
  if (result.errors > 0) other.push(`${result.errors} errors`);
  return { result, other: other.join(', ') || '0' };
}

const dir = await mkdtemp(join(tmpdir(), 'supcon-bench-serve-'));
try {
  const png = await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r: 120, g: 80, b: 200 } } }).png().toBuffer();
  const models: [string, EncoderForward][] = [
    ['small_cnn (w=32)', encoderFromConfig({ name: 'small_cnn', stem: 'cifar', width: 32, normalize: false })],
    ['resnet18 (cifar)', encoderFromConfig({ name: 'resnet18', stem: 'cifar', width: 64, normalize: false })],
  ];
  console.log(`${cpus()[0]?.model ?? 'unknown CPU'}, ${availableParallelism()} cores; ${DURATION_S} s per row after 1 s of warm-up; 1 ORT thread per worker`);
  console.log('| model, 32x32 | workers | connections | req/s | p50 ms | p99 ms | not 200 |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const [name, encoder] of models) {
    const modelDir = join(dir, name.split(' ')[0]!);
    await exportRandom(modelDir, name, encoder);
    for (const workers of WORKERS) {
      const server = await startServer('scripts/serve.ts', ['--model', modelDir, '--port', '0', '--workers', String(workers)]);
      try {
        await load(server.url, 16, 1, png);
        for (const connections of CONNECTIONS) {
          const { result: r, other } = await load(server.url, connections, DURATION_S, png);
          console.log(`| ${name} | ${workers} | ${connections} | ${r.requests.average.toFixed(0)} | ${r.latency.p50} | ${r.latency.p99} | ${other} |`);
        }
      } finally {
        await server.stop();
        if (server.stderr()) console.log(`server stderr: ${server.stderr()}`);
      }
    }
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
