// The browser demo: pick or drop an image, the page resizes it on a canvas (shorter side to the model's
// size, centre crop, smoothing on; not bit-identical to sharp's resize in Node, see preprocess.ts) and
// runs the exported model with onnxruntime-web: WASM by default, WebGPU when `navigator.gpu` exists and
// the user picks it (or opens the page with ?backend=webgpu). `window.supcon` exposes the model to tests.

import * as ort from 'onnxruntime-web';
import { type ModelMetadata, validateMetadata } from '../src/export/metadata.ts';
import { centerSquare, lumaBytes, type Prediction, topK, writeChw } from '../src/export/preprocess.ts';

type Backend = 'wasm' | 'webgpu';

export interface DemoApi {
  /** Resolves with the model's metadata once the first session is ready. */
  ready: Promise<ModelMetadata>;
  backend(): Backend;
  /** Probabilities [n, classes] (flat) for pixels [n, C, H, W] in [0, 1]: the model without the canvas. */
  classifyTensor(pixels: number[], n: number): Promise<number[]>;
}

declare global {
  interface Window {
    supcon: DemoApi;
  }
}

const MODEL_BASE = new URL('model/', location.href);
ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;
// numThreads: ORT's default (several threads when the page is cross-origin isolated, as web.ts serves it).

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
};
const statusEl = $<HTMLParagraphElement>('status');
const backendEl = $<HTMLSelectElement>('backend');
const fileEl = $<HTMLInputElement>('file');
const dropEl = $<HTMLDivElement>('drop');
const canvas = $<HTMLCanvasElement>('input-canvas');
const resultsBody = $<HTMLTableElement>('results').tBodies[0]!;

function setStatus(text: string, error = false): void {
  statusEl.textContent = text;
  statusEl.classList.toggle('error', error);
}

let metadata: ModelMetadata;
let session: ort.InferenceSession | undefined;
let backend: Backend = 'wasm';
// ORT web sessions run one at a time: every run and session swap goes through this chain.
let chain: Promise<unknown> = Promise.resolve();
const serial = <T>(fn: () => Promise<T>): Promise<T> => {
  const next = chain.then(fn, fn);
  chain = next.catch(() => undefined);
  return next;
};

async function openSession(which: Backend): Promise<void> {
  const next = await ort.InferenceSession.create(new URL(metadata.files.classifier, MODEL_BASE).href, {
    executionProviders: [which],
    graphOptimizationLevel: 'all',
  });
  await session?.release();
  session = next;
  backend = which;
}

async function runProbabilities(pixels: Float32Array, n: number): Promise<Float32Array> {
  if (!session) throw new Error('model not loaded');
  const { channels: c, inputSize: s } = metadata;
  const out = await session.run({ image: new ort.Tensor('float32', pixels, [n, c, s, s]) });
  const probs = out['probabilities'];
  if (!probs) throw new Error('model has no probabilities output');
  return probs.data as Float32Array;
}

function showResults(predictions: readonly Prediction[]): void {
  resultsBody.replaceChildren(
    ...predictions.map((p, i) => {
      const row = document.createElement('tr');
      row.dataset['rank'] = String(i + 1);
      const cells = [String(i + 1), p.label, p.probability.toFixed(4)];
      ['rank', 'label', 'probability'].forEach((cls, k) => {
        const td = document.createElement('td');
        td.className = cls;
        td.textContent = cells[k] ?? '';
        row.append(td);
      });
      const bar = document.createElement('div');
      bar.className = 'bar';
      bar.style.width = `${(p.probability * 100).toFixed(1)}%`;
      const td = document.createElement('td');
      td.className = 'bar-cell';
      td.append(bar);
      row.append(td);
      return row;
    }),
  );
}

/** Decoded image -> [1, C, S, S]: alpha on black (as sharp flattens), centre square, resized by the canvas. */
function pixelsFromBitmap(bitmap: ImageBitmap): Float32Array {
  const s = metadata.inputSize;
  canvas.width = s;
  canvas.height = s;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new Error('no 2D canvas');
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, s, s);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  const sq = centerSquare(bitmap.width, bitmap.height);
  ctx.drawImage(bitmap, sq.x, sq.y, sq.side, sq.side, 0, 0, s, s);
  const out = new Float32Array(metadata.channels * s * s);
  const rgba = ctx.getImageData(0, 0, s, s).data;
  if (metadata.channels === 1) writeChw(lumaBytes(rgba, s * s, 4), s, s, 1, 1, out, 0, 1 / 255);
  else writeChw(rgba, s, s, 4, 3, out, 0, 1 / 255);
  return out;
}

async function classify(pixels: Float32Array): Promise<void> {
  const t0 = performance.now();
  const probs = await serial(() => runProbabilities(pixels, 1));
  const ms = performance.now() - t0;
  const preds = topK(probs, metadata.classes, 5);
  showResults(preds);
  const best = preds[0];
  if (best) setStatus(`Top-1: ${best.label} (${(best.probability * 100).toFixed(1)}%), ${ms.toFixed(1)} ms on ${backend}`);
}

async function onFile(file: File | undefined): Promise<void> {
  if (!file) return;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    setStatus(`${file.name} is not an image this browser can decode`, true);
    return;
  }
  const pixels = pixelsFromBitmap(bitmap);
  bitmap.close();
  $<HTMLElement>('input-caption').textContent = `${file.name} as the model sees it`;
  await classify(pixels).catch((err: unknown) => setStatus(`inference failed: ${String(err)}`, true));
}

async function start(): Promise<ModelMetadata> {
  const res = await fetch(new URL('model.json', MODEL_BASE));
  if (!res.ok) throw new Error(`model/model.json: HTTP ${res.status}`);
  metadata = validateMetadata(await res.json());
  $<HTMLElement>('model-name').textContent = `${metadata.modelName} · ${metadata.encoder} · ${metadata.classes.length} classes`;
  const gpuOption = backendEl.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (gpuOption) gpuOption.disabled = !('gpu' in navigator);
  const wanted: Backend = new URLSearchParams(location.search).get('backend') === 'webgpu' && 'gpu' in navigator ? 'webgpu' : 'wasm';
  let note = '';
  try {
    await serial(() => openSession(wanted));
  } catch (err) {
    if (wanted === 'wasm') throw err;
    note = ` (WebGPU failed: ${String(err)})`;
    await serial(() => openSession('wasm'));
  }
  backendEl.value = backend;
  setStatus(`Ready on ${backend}: choose or drop an image.${note}`, note !== '');
  return metadata;
}

const ready = start();
ready.catch((err: unknown) => setStatus(`could not load the model: ${String(err)}`, true));

// Switching reloads the page with ?backend=: in onnxruntime-web 1.30 a WebGPU session created after a
// WASM session in the same page fails at run time ("no GPU data for input"), a fresh page does not.
backendEl.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('backend', backendEl.value === 'webgpu' ? 'webgpu' : 'wasm');
  location.assign(url);
});
fileEl.addEventListener('change', () => void onFile(fileEl.files?.[0]));
dropEl.addEventListener('dragover', (e) => {
  e.preventDefault();
  dropEl.classList.add('over');
});
dropEl.addEventListener('dragleave', () => dropEl.classList.remove('over'));
dropEl.addEventListener('drop', (e) => {
  e.preventDefault();
  dropEl.classList.remove('over');
  void onFile(e.dataTransfer?.files[0]);
});

window.supcon = {
  ready,
  backend: () => backend,
  classifyTensor: async (pixels, n) => {
    await ready;
    return Array.from(await serial(() => runProbabilities(Float32Array.from(pixels), n)));
  },
};
