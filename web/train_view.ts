// The Train view: classes and their photos (class_list.ts), training options, and a training job run in
// a Web Worker (train_worker.ts) so the page never blocks: a progress bar, a live loss / accuracy chart,
// a cancel button, then the held-out accuracy of the exported model, the Predict view switched to it
// and its files to download.

import type { AugmentationName } from '../src/data/augment/build.ts';
import { sidecarJson } from '../src/export/metadata.ts';
import { topK } from '../src/export/preprocess.ts';
import { drawChart, type Series } from './chart.ts';
import { ClassList } from './class_list.ts';
import { $, el, setStatus } from './dom.ts';
import { drawBytes, modelInput } from './pixels.ts';
import type { PredictView } from './predict_view.ts';
import { checkClasses, heldOutIndices } from './train/classes.ts';
import { TrainError, messageOf } from './train/errors.ts';
import { checkJobOptions } from './train/options.ts';
import type { BackendChoice, FromWorker, LabelledImages, StageName, TrainEvent, TrainJob, TrainResult } from './train/job.ts';

/** What the last finished training did, for the tests (plain arrays, so it crosses page.evaluate). */
export interface TrainRecord {
  job: Omit<TrainJob, 'base' | 'train' | 'heldOut'> & { train: PlainImages; heldOut: PlainImages };
  backend: TrainResult['backend'];
  threads: number;
  losses: TrainResult['losses'];
  stepsPerSecond: TrainResult['stepsPerSecond'];
  /** As the trainer measured it on the features, and as the exported model gives it in the page. */
  heldOutAccuracy: { trainer: number | null; exported: number | null };
  heldOut: { name: string; label: string; probabilities: number[] }[];
}
interface PlainImages { pixels: number[]; labels: number[] }

const STAGE_LABEL: Record<StageName | 'features' | 'export', string> = {
  supcon: 'SupCon fine-tuning', stage2: 'Linear classifier', features: 'Computing features', export: 'Writing model.onnx',
};

/** A number field's value; NaN when it is empty. */
const num = (id: string): number => $<HTMLInputElement>(id).valueAsNumber;

function labelled(photos: readonly { bytes: Uint8Array }[][], per: number): LabelledImages {
  const pixels = new Uint8Array(photos.reduce((n, list) => n + list.length, 0) * per);
  const labels: number[] = [];
  photos.forEach((list, c) => list.forEach((p) => (pixels.set(p.bytes, labels.length * per), labels.push(c))));
  return { pixels, labels: Int32Array.from(labels) };
}

export class TrainView {
  private readonly list: ClassList;
  private readonly status = $<HTMLParagraphElement>('train-status');
  private readonly messages = $<HTMLUListElement>('train-messages');
  private readonly progress = $<HTMLProgressElement>('train-progress');
  private readonly chart = $<HTMLCanvasElement>('train-chart');
  private worker: Worker | undefined;
  private series: Series[] = [];
  private totalSteps = 0;
  private stepOffset = 0;
  private drawPending = false;
  private downloads: string[] = [];
  last: TrainRecord | undefined;

  constructor(private readonly predict: PredictView) {
    this.list = new ClassList($('class-list'), () => this.predict.model.metadata, (m, error) => this.message(m, error));
    this.list.add();
    this.list.add();
    $('add-class').addEventListener('click', () => this.list.add());
    const folders = $<HTMLInputElement>('class-folders');
    folders.addEventListener('change', () => {
      void this.list.addClassFolders(Array.from(folders.files ?? []));
      folders.value = '';
    });
    this.list.bindFolderDrop($('folder-drop'));
    $('train').addEventListener('click', () => this.start());
    $('cancel').addEventListener('click', () => this.cancel());
  }

  showBase(): void {
    const { metadata } = this.predict.model;
    $('train-base').textContent = `${metadata.modelName} (${metadata.encoder}, ${metadata.inputSize}x${metadata.inputSize}x${metadata.channels})`;
  }

  message(text: string, error = false): void {
    const item = el('li', error ? 'error' : 'note', text);
    this.messages.append(item);
  }

  /** Gathers the classes, checks them, and starts the worker. */
  start(): void {
    if (this.worker) return;
    this.messages.replaceChildren();
    let job: TrainJob;
    let heldOutNames: string[];
    try {
      ({ job, heldOutNames } = this.job());
    } catch (err) {
      this.message(messageOf(err), true);
      setStatus(this.status, 'Not started: see the message below.', true);
      return;
    }
    $('train-result').hidden = true;
    this.series = [];
    this.totalSteps = 0;
    this.stepOffset = 0;
    this.setRunning(true);
    setStatus(this.status, 'Starting the training worker...');
    const started = performance.now();
    const worker = new Worker(new URL('train_worker.js', location.href), { type: 'module' });
    this.worker = worker;
    worker.addEventListener('message', (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      if (msg.type === 'event') this.onEvent(msg.event);
      else if (msg.type === 'error') this.fail(msg.message);
      else void this.finish(job, msg.result, heldOutNames, (performance.now() - started) / 1000);
    });
    worker.addEventListener('error', (e) => this.fail(e.message || 'the training worker stopped'));
    worker.postMessage({ type: 'train', job });
  }

  cancel(): void {
    if (!this.worker) return;
    this.stop();
    setStatus(this.status, `Cancelled. The page still uses ${this.predict.model.metadata.modelName}.`);
  }

  private job(): { job: TrainJob; heldOutNames: string[] } {
    const { model } = this.predict;
    const { metadata } = model;
    const per = metadata.inputSize * metadata.inputSize * metadata.channels;
    const augmentation = $<HTMLSelectElement>('augmentation').value as AugmentationName;
    const batchSize = num('batch');
    const options = {
      ...($<HTMLInputElement>('supcon').checked ? { supcon: { epochs: num('supcon-epochs'), batchSize, lr: num('supcon-lr'), augmentation } } : {}),
      stage2: { epochs: num('stage2-epochs'), batchSize, lr: num('stage2-lr') },
      seed: num('seed'),
    };
    checkJobOptions(options);
    const { seed } = options;
    const percent = num('split');
    if (!(percent >= 0 && percent <= 50)) throw new TrainError('data', `Held out: the share of each class must be from 0 to 50%, got ${Number.isNaN(percent) ? 'nothing' : percent}`);
    const classes = this.list.classes();
    const train: { bytes: Uint8Array }[][] = [];
    const held: { name: string; bytes: Uint8Array }[][] = [];
    let split = 0;
    classes.forEach((c, k) => {
      if (c.heldOut.length > 0 || percent <= 0) {
        train.push(c.train);
        held.push(c.heldOut);
        return;
      }
      const out = heldOutIndices(c.train.length, percent, seed + k);
      train.push(c.train.filter((_, i) => !out.has(i)));
      held.push(c.train.filter((_, i) => out.has(i)));
      split += out.size;
    });
    const trainSet = labelled(train, per);
    checkClasses(classes.map((c) => c.name), trainSet.labels);
    if (split > 0) this.message(`${split} photo${split === 1 ? '' : 's'} held out at random (${percent}% of each class that has none set aside)`);
    if (held.every((h) => h.length === 0)) this.message('no photos are held out, so the held-out accuracy is not measured');
    return {
      heldOutNames: held.flatMap((list) => list.map((p) => p.name)),
      job: {
        base: { model: model.bytes, metadata },
        classes: classes.map((c) => c.name),
        train: trainSet,
        heldOut: labelled(held, per),
        backend: $<HTMLSelectElement>('train-backend').value as BackendChoice,
        ...options,
        modelName: `${metadata.modelName}-tuned`,
      },
    };
  }

  private onEvent(e: TrainEvent): void {
    switch (e.kind) {
      case 'backend':
        setStatus(this.status, `Training on ${e.backend === 'webgpu' ? 'WebGPU' : `WASM (${e.threads} thread${e.threads === 1 ? '' : 's'})`}...`);
        if (e.note) this.message(e.note);
        return;
      case 'stage':
        this.stepOffset = this.totalSteps;
        this.totalSteps += e.steps;
        this.progress.max = Math.max(1, e.steps);
        this.progress.value = 0;
        if (e.stage === 'supcon' || e.stage === 'stage2') {
          this.series.push({ label: e.stage === 'supcon' ? 'SupCon loss' : 'CE loss', color: e.stage === 'supcon' ? '#8e44ad' : '#3a7bd5', points: [], kind: 'loss' });
          if (e.stage === 'stage2') this.series.push({ label: 'held-out acc', color: '#27ae60', points: [], kind: 'accuracy' });
        }
        setStatus(this.status, `${STAGE_LABEL[e.stage]}${e.batchSize ? ` (batch ${e.batchSize})` : ''}...`);
        return;
      case 'step': {
        this.progress.value = e.step;
        this.seriesOf('loss', e.stage === 'supcon' ? 'SupCon loss' : 'CE loss')?.points.push([this.stepOffset + e.step, e.loss]);
        const left = e.stepsPerSecond > 0 ? ` · ${Math.ceil((e.steps - e.step) / e.stepsPerSecond)} s left` : '';
        setStatus(this.status, `${STAGE_LABEL[e.stage]}: step ${e.step}/${e.steps}, epoch ${e.epoch} · loss ${e.loss.toFixed(3)}${e.accuracy === undefined ? '' : ` · batch accuracy ${e.accuracy.toFixed(2)}`} · ${e.stepsPerSecond.toFixed(1)} steps/s${left}`);
        this.redraw();
        return;
      }
      case 'epoch':
        if (e.heldOutAccuracy !== undefined) this.seriesOf('accuracy', 'held-out acc')?.points.push([this.stepOffset + this.progress.value, e.heldOutAccuracy]);
        this.redraw();
        return;
    }
  }

  private seriesOf(kind: Series['kind'], label: string): Series | undefined {
    return this.series.find((s) => s.kind === kind && s.label === label);
  }

  private redraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      drawChart(this.chart, this.series, this.totalSteps);
    });
  }

  /** The trained model: the Predict view switches to it, the held-out photos are classified by it, its files offered. */
  private async finish(job: TrainJob, result: TrainResult, heldOutNames: string[], seconds: number): Promise<void> {
    this.stop();
    drawChart(this.chart, this.series, this.totalSteps);
    const model = { bytes: result.classifier, metadata: result.metadata };
    const note = await this.predict.use(model);
    const { metadata } = model;
    const n = job.heldOut.labels.length;
    const probs = n > 0 ? await this.predict.probabilities(modelInput(job.heldOut.pixels, n, metadata), n) : new Float32Array(0);
    const k = metadata.classes.length;
    const heldOut = heldOutNames.map((name, i) => ({ name, label: metadata.classes[job.heldOut.labels[i]!]!, probabilities: Array.from(probs.subarray(i * k, (i + 1) * k)) }));
    const correct = heldOut.filter((h) => topK(h.probabilities, metadata.classes, 1)[0]!.label === h.label).length;
    const exported = n > 0 ? correct / n : null;
    this.showResult(job, heldOut, exported);
    this.offerDownloads(result);
    const plain = (s: LabelledImages): PlainImages => ({ pixels: Array.from(s.pixels), labels: Array.from(s.labels) });
    const { base: _base, train, heldOut: held, ...rest } = job;
    this.last = {
      job: { ...rest, train: plain(train), heldOut: plain(held) },
      backend: result.backend, threads: result.threads, losses: result.losses, stepsPerSecond: result.stepsPerSecond,
      heldOutAccuracy: { trainer: result.heldOutAccuracy, exported }, heldOut,
    };
    const accuracy = exported === null ? 'no held-out photos' : `held-out accuracy ${(exported * 100).toFixed(1)}% (${correct}/${n})`;
    setStatus(this.status, `Trained in ${seconds.toFixed(1)} s on ${result.backend}: ${accuracy}. The Predict tab now uses ${metadata.modelName}.${note}`);
  }

  private showResult(job: TrainJob, heldOut: TrainRecord['heldOut'], accuracy: number | null): void {
    const { metadata } = this.predict.model;
    $('held-out-accuracy').textContent = accuracy === null ? 'not measured (no held-out photos)' : `${(accuracy * 100).toFixed(1)}% of ${heldOut.length}`;
    const per = metadata.inputSize * metadata.inputSize * metadata.channels;
    $('held-out-grid').replaceChildren(
      ...heldOut.map((h, i) => {
        const best = topK(h.probabilities, metadata.classes, 1)[0]!;
        const fig = el('figure', best.label === h.label ? 'right' : 'wrong');
        const c = el('canvas', 'thumb');
        drawBytes(c, job.heldOut.pixels.subarray(i * per, (i + 1) * per), metadata);
        fig.title = h.name;
        fig.append(c, el('figcaption', '', `${best.label} ${(best.probability * 100).toFixed(0)}%`));
        return fig;
      }),
    );
    $('train-result').hidden = false;
  }

  private offerDownloads(result: TrainResult): void {
    for (const url of this.downloads) URL.revokeObjectURL(url);
    const files: [string, BlobPart][] = [
      ['download-model', result.classifier as Uint8Array<ArrayBuffer>],
      ['download-json', sidecarJson(result.metadata)],
      ['download-embed', result.embedding as Uint8Array<ArrayBuffer>],
    ];
    this.downloads = files.map(([id, data]) => {
      const url = URL.createObjectURL(new Blob([data]));
      $<HTMLAnchorElement>(id).href = url;
      return url;
    });
  }

  private fail(message: string): void {
    this.stop();
    this.message(message, true);
    setStatus(this.status, `Training failed. The page still uses ${this.predict.model.metadata.modelName}.`, true);
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.setRunning(false);
  }

  private setRunning(running: boolean): void {
    $<HTMLButtonElement>('train').disabled = running;
    $<HTMLButtonElement>('cancel').disabled = !running;
    this.progress.hidden = !running;
  }
}
