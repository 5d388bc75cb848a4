// The Predict view: pick or drop an image and see the model's top classes. The model is the served one
// (model/model.onnx) until the Train view hands over a model trained in the page. WASM by default,
// WebGPU when `navigator.gpu` exists and the user picks it (or opens the page with ?backend=webgpu).

import * as ort from 'onnxruntime-web';
import { type ModelMetadata, validateMetadata } from '../src/export/metadata.ts';
import { type Prediction, topK } from '../src/export/preprocess.ts';
import { $, el, setStatus } from './dom.ts';
import { drawBytes, fileBytes, modelInput } from './pixels.ts';

export type Backend = 'wasm' | 'webgpu';

/** A model as the page holds it: model.onnx bytes and model.json. */
export interface LoadedModel {
  bytes: Uint8Array;
  metadata: ModelMetadata;
}

const MODEL_BASE = new URL('model/', location.href);

async function fetchBytes(url: URL): Promise<Uint8Array> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url.pathname}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** The served model: model/model.json and the classifier it names. */
export async function fetchServedModel(): Promise<LoadedModel> {
  const res = await fetch(new URL('model.json', MODEL_BASE));
  if (!res.ok) throw new Error(`model/model.json: HTTP ${res.status}`);
  const metadata = validateMetadata(await res.json());
  return { metadata, bytes: await fetchBytes(new URL(metadata.files.classifier, MODEL_BASE)) };
}

export class PredictView {
  private readonly status = $<HTMLParagraphElement>('status');
  private readonly resultsBody = $<HTMLTableElement>('results').tBodies[0]!;
  private session: ort.InferenceSession | undefined;
  private current: LoadedModel | undefined;
  private chosen: Backend = 'wasm';
  // ORT web sessions run one at a time: every run and session swap goes through this chain.
  private chain: Promise<unknown> = Promise.resolve();

  get model(): LoadedModel {
    if (!this.current) throw new Error('model not loaded');
    return this.current;
  }

  get backend(): Backend {
    return this.chosen;
  }

  setStatus(text: string, error = false): void {
    setStatus(this.status, text, error);
  }

  /** Opens `model` on `backend` (WASM when WebGPU fails, saying so); later runs use it. */
  async use(model: LoadedModel, backend: Backend = this.chosen): Promise<string> {
    return this.serial(async () => {
      let note = '';
      let next: ort.InferenceSession;
      try {
        next = await this.open(model, backend);
      } catch (err) {
        if (backend === 'wasm') throw err;
        note = ` (WebGPU failed: ${String(err)})`;
        backend = 'wasm';
        next = await this.open(model, backend);
      }
      await this.session?.release();
      this.session = next;
      this.current = model;
      this.chosen = backend;
      $<HTMLElement>('model-name').textContent = `${model.metadata.modelName} · ${model.metadata.encoder} · ${model.metadata.classes.length} classes`;
      return note;
    });
  }

  /** Probabilities [n, classes] (flat) for pixels [n, C, H, W] in [0, 1]. */
  probabilities(pixels: Float32Array, n: number): Promise<Float32Array> {
    return this.serial(async () => {
      if (!this.session || !this.current) throw new Error('model not loaded');
      const { channels: c, inputSize: s } = this.current.metadata;
      const out = await this.session.run({ image: new ort.Tensor('float32', pixels, [n, c, s, s]) });
      const probs = out['probabilities'];
      if (!probs) throw new Error('model has no probabilities output');
      return probs.data as Float32Array;
    });
  }

  async onFile(file: File | undefined): Promise<void> {
    if (!file) return;
    const { metadata } = this.model;
    const bytes = await fileBytes(file, metadata);
    if (!bytes) return this.setStatus(`${file.name} is not an image this browser can decode`, true);
    drawBytes($<HTMLCanvasElement>('input-canvas'), bytes, metadata);
    $<HTMLElement>('input-caption').textContent = `${file.name} as the model sees it`;
    const t0 = performance.now();
    try {
      const preds = topK(await this.probabilities(modelInput(bytes, 1, metadata), 1), metadata.classes, 5);
      this.showResults(preds);
      const best = preds[0];
      if (best) this.setStatus(`Top-1: ${best.label} (${(best.probability * 100).toFixed(1)}%), ${(performance.now() - t0).toFixed(1)} ms on ${this.chosen}`);
    } catch (err) {
      this.setStatus(`inference failed: ${String(err)}`, true);
    }
  }

  private open(model: LoadedModel, backend: Backend): Promise<ort.InferenceSession> {
    return ort.InferenceSession.create(model.bytes, { executionProviders: [backend], graphOptimizationLevel: 'all' });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private showResults(predictions: readonly Prediction[]): void {
    this.resultsBody.replaceChildren(
      ...predictions.map((p, i) => {
        const row = el('tr');
        row.dataset['rank'] = String(i + 1);
        row.append(el('td', 'rank', String(i + 1)), el('td', 'label', p.label), el('td', 'probability', p.probability.toFixed(4)));
        const bar = el('div', 'bar');
        bar.style.width = `${(p.probability * 100).toFixed(1)}%`;
        const cell = el('td', 'bar-cell');
        cell.append(bar);
        row.append(cell);
        return row;
      }),
    );
  }
}
