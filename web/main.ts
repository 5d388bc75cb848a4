// The browser demo: a Predict view (classify a photo with the served model, or with one trained here)
// and a Train view (fine-tune on your own photos in the page, then download the model). `window.supcon`
// exposes both to tests.

import * as ort from 'onnxruntime-web';
import type { ModelMetadata } from '../src/export/metadata.ts';
import { $, dropZone } from './dom.ts';
import { type Backend, PredictView, fetchServedModel } from './predict_view.ts';
import { type TrainRecord, TrainView } from './train_view.ts';

export interface DemoApi {
  /** Resolves with the served model's metadata once the first session is ready. */
  ready: Promise<ModelMetadata>;
  backend(): Backend;
  /** Probabilities [n, classes] (flat) of the current model for pixels [n, C, H, W] in [0, 1]: the model without the canvas. */
  classifyTensor(pixels: number[], n: number): Promise<number[]>;
  /** The last finished training in the Train view. */
  lastTraining(): TrainRecord | undefined;
}

declare global {
  interface Window {
    supcon: DemoApi;
  }
}

ort.env.wasm.wasmPaths = new URL('ort/', location.href).href;
// numThreads: ORT's default (several threads when the page is cross-origin isolated, as web.ts serves it).

const predict = new PredictView();
const train = new TrainView(predict);
const backendEl = $<HTMLSelectElement>('backend');

async function start(): Promise<ModelMetadata> {
  const gpuOption = backendEl.querySelector<HTMLOptionElement>('option[value="webgpu"]');
  if (gpuOption) gpuOption.disabled = !('gpu' in navigator);
  const wanted: Backend = new URLSearchParams(location.search).get('backend') === 'webgpu' && 'gpu' in navigator ? 'webgpu' : 'wasm';
  const note = await predict.use(await fetchServedModel(), wanted);
  backendEl.value = predict.backend;
  predict.setStatus(`Ready on ${predict.backend}: choose or drop an image.${note}`, note !== '');
  train.showBase();
  return predict.model.metadata;
}

const ready = start();
ready.catch((err: unknown) => predict.setStatus(`could not load the model: ${String(err)}`, true));

function showView(name: 'predict' | 'train'): void {
  for (const view of ['predict', 'train'] as const) {
    $(`${view}-view`).hidden = view !== name;
    $(`tab-${view}`).setAttribute('aria-selected', String(view === name));
  }
}
$('tab-predict').addEventListener('click', () => showView('predict'));
$('tab-train').addEventListener('click', () => showView('train'));
if (location.hash === '#train') showView('train');

// Switching reloads the page with ?backend=: in onnxruntime-web 1.30 a WebGPU session created after a
// WASM session in the same page fails at run time ("no GPU data for input"), a fresh page does not.
backendEl.addEventListener('change', () => {
  const url = new URL(location.href);
  url.searchParams.set('backend', backendEl.value === 'webgpu' ? 'webgpu' : 'wasm');
  location.assign(url);
});
const fileEl = $<HTMLInputElement>('file');
fileEl.addEventListener('change', () => void predict.onFile(fileEl.files?.[0]));
dropZone($<HTMLDivElement>('drop'), (e) => void predict.onFile(e.dataTransfer?.files[0]));

window.supcon = {
  ready,
  backend: () => predict.backend,
  classifyTensor: async (pixels, n) => {
    await ready;
    return Array.from(await predict.probabilities(Float32Array.from(pixels), n));
  },
  lastTraining: () => train.last,
};
