// An exported model ready to answer in Node: decode + resize with src/data (sharp), pack into the
// `image` tensor, run onnxruntime-node, read top-k or the embedding. Used by `predict` directly and by
// each server worker (one runner, one ORT session per worker thread).

import { decodeImage } from '../data/decode.ts';
import { readFile } from 'node:fs/promises';
import { type ExecutionProvider, sessionFactory } from '../runtime/providers.ts';
import { runHost } from '../runtime/session.ts';
import type { StepSession } from '../runtime/step_runner.ts';
import type { ModelMetadata } from '../export/metadata.ts';
import { type Prediction, topK, writeChw } from '../export/preprocess.ts';
import { readExportedModel } from '../export/read_model.ts';

export interface RunnerOptions {
  /** ORT intra-op threads per session (0 = ORT's default: all cores). */
  threads?: number;
  /** Execution provider (default cpu). */
  ep?: ExecutionProvider;
  /** Also load the embedding model (default true). */
  embedding?: boolean;
}

/**
 * The pixel limit of uploads for a model with input side `inputSize`: (128 x inputSize)^2, at most 2^28.
 * A 32-px model takes photos up to 4096 x 4096 (~25 ms to decode on one core), not a 16000 x 16000
 * decompression bomb (a 3 MB PNG, ~0.3-0.6 s of a worker).
 */
export function defaultMaxPixels(inputSize: number): number {
  return Math.min(2 ** 28, (128 * inputSize) ** 2);
}

export class ModelRunner {
  private constructor(
    readonly metadata: ModelMetadata,
    private readonly classifier: StepSession,
    private readonly embedder: StepSession | undefined,
  ) {}

  /** `path`: model.onnx or the export folder. */
  static async load(path: string, options: RunnerOptions = {}): Promise<ModelRunner> {
    const files = await readExportedModel(path);
    const create = sessionFactory(options.ep ?? 'cpu', { threads: options.threads ?? 0 });
    const classifier = await create(files.classifier);
    const embedder = options.embedding === false ? undefined : await create(new Uint8Array(await readFile(files.embeddingPath)));
    return new ModelRunner(files.metadata, classifier, embedder);
  }

  /** Values in one image tensor [C, H, W]. */
  get imageLength(): number {
    const m = this.metadata;
    return m.channels * m.inputSize * m.inputSize;
  }

  /**
   * A file path or encoded bytes -> [C, H, W] in [0, 1]. Throws DecodeError for what is not an image,
   * or has more than `maxPixels` pixels (checked from the header, before decoding).
   */
  async preprocess(input: string | Uint8Array, maxPixels?: number): Promise<Float32Array> {
    const { channels, inputSize } = this.metadata;
    const img = await decodeImage(input, { channels, size: inputSize, ...(maxPixels === undefined ? {} : { maxPixels }) });
    const out = new Float32Array(this.imageLength);
    writeChw(img.data, img.width, img.height, img.channels, channels, out);
    return out;
  }

  private batch(images: readonly Float32Array[]): Float32Array {
    const n = this.imageLength;
    const out = new Float32Array(images.length * n);
    images.forEach((img, i) => {
      if (img.length !== n) throw new RangeError(`image ${i} has ${img.length} values, the model takes ${n}`);
      out.set(img, i * n);
    });
    return out;
  }

  private async run(session: StepSession, images: readonly Float32Array[], output: string): Promise<Float32Array> {
    const { channels: c, inputSize: s } = this.metadata;
    const out = await runHost(session, { image: { dtype: 'float32', dims: [images.length, c, s, s], data: this.batch(images) } });
    const t = out[output];
    if (!t || !(t.data instanceof Float32Array)) throw new Error(`model has no float32 output ${output}`);
    return t.data;
  }

  /** Class probabilities [N, classes] as one flat array (row-major). */
  async probabilities(images: readonly Float32Array[]): Promise<Float32Array> {
    return images.length === 0 ? new Float32Array(0) : this.run(this.classifier, images, 'probabilities');
  }

  async classify(images: readonly Float32Array[], k: number): Promise<Prediction[][]> {
    const probs = await this.probabilities(images);
    const classes = this.metadata.classes;
    return images.map((_, i) => topK(probs, classes, k, i * classes.length));
  }

  /** L2-normalised embeddings, one [D] array per image. */
  async embed(images: readonly Float32Array[]): Promise<Float32Array[]> {
    if (!this.embedder) throw new Error('the embedding model was not loaded');
    if (images.length === 0) return [];
    const flat = await this.run(this.embedder, images, 'embedding');
    const d = this.metadata.embeddingDim;
    return images.map((_, i) => flat.slice(i * d, (i + 1) * d));
  }

  async release(): Promise<void> {
    await this.classifier.release?.();
    await this.embedder?.release?.();
  }
}
