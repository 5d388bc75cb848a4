// Inference latency of exported models (random weights; speed does not depend on them):
//   predict  p50 / p90 of one image through ModelRunner (decode + resize + session run), onnxruntime-node
//   server   requests/s and p50 latency of POST /predict with 2 workers, 16 requests in flight
// Usage: node --import ./scripts/register-ts.mjs bench/serve_latency.ts [--requests 400]

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { encoderFromConfig, exportModel } from '../src/export/export_model.ts';
import { buildInferenceGraph, type EncoderForward } from '../src/export/inference_graph.ts';
import { initialState } from '../src/runtime/init.ts';
import { createInferenceServer } from '../src/serve/http_server.ts';
import { ModelRunner } from '../src/serve/model_runner.ts';

const requests = Number(process.argv[process.argv.indexOf('--requests') + 1]) || 400;
const SIZE = 32;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

async function exportRandom(dir: string, name: string, encoder: EncoderForward): Promise<void> {
  const spec = { channels: 3 as const, inputSize: SIZE, numClasses: 10 };
  const g = buildInferenceGraph({ encoder, ...spec, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] });
  const weights = new Map([...initialState(g.params.list, [], 1)].map(([k, t]) => [k, t.data as Float32Array]));
  const classes = Array.from({ length: 10 }, (_, i) => `class${i}`);
  await exportModel({ encoder, encoderName: name, weights, classes, inputSize: SIZE, channels: 3, mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], modelName: name, outDir: dir, check: false });
}

async function benchPredict(dir: string, png: Uint8Array): Promise<{ p50: number; p90: number; runP50: number }> {
  const runner = await ModelRunner.load(dir, { embedding: false });
  const times: number[] = [];
  const runTimes: number[] = [];
  for (let i = 0; i < 220; i++) {
    const t0 = performance.now();
    const x = await runner.preprocess(png);
    const t1 = performance.now();
    await runner.classify([x], 5);
    const t2 = performance.now();
    if (i >= 20) {
      times.push(t2 - t0);
      runTimes.push(t2 - t1);
    }
  }
  await runner.release();
  return { p50: quantile(times, 0.5), p90: quantile(times, 0.9), runP50: quantile(runTimes, 0.5) };
}

async function benchServer(dir: string, png: Uint8Array<ArrayBuffer>): Promise<{ rps: number; p50: number }> {
  const app = await createInferenceServer({ modelPath: dir, workers: 2, threadsPerWorker: 1 });
  const url = `http://127.0.0.1:${(await app.listen(0)).port}/predict`;
  const latencies: number[] = [];
  let next = 0;
  const client = async (): Promise<void> => {
    while (next++ < requests) {
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', body: png });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`HTTP ${res.status}`);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: 4 }, client)); // warm-up
  latencies.length = 0;
  next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: 16 }, client));
  const seconds = (performance.now() - t0) / 1000;
  await app.close();
  return { rps: requests / seconds, p50: quantile(latencies, 0.5) };
}

const dir = await mkdtemp(join(tmpdir(), 'supcon-bench-'));
try {
  const png = new Uint8Array(await sharp({ create: { width: SIZE, height: SIZE, channels: 3, background: { r: 120, g: 80, b: 200 } } }).png().toBuffer());
  const models: [string, EncoderForward][] = [
    ['small_cnn (w=32)', encoderFromConfig({ name: 'small_cnn', stem: 'cifar', width: 32, normalize: false })],
    ['resnet18 (cifar)', encoderFromConfig({ name: 'resnet18', stem: 'cifar', width: 32, normalize: false })],
  ];
  console.log(`| model | predict p50 ms | predict p90 ms | session.run p50 ms | server req/s (2 workers) | server p50 ms |`);
  console.log(`|---|---|---|---|---|---|`);
  for (const [name, encoder] of models) {
    const modelDir = join(dir, name.split(' ')[0]!);
    await exportRandom(modelDir, name, encoder);
    const p = await benchPredict(modelDir, png);
    const s = await benchServer(modelDir, png);
    console.log(`| ${name} ${SIZE}x${SIZE} | ${p.p50.toFixed(2)} | ${p.p90.toFixed(2)} | ${p.runP50.toFixed(2)} | ${s.rps.toFixed(0)} | ${s.p50.toFixed(1)} |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
