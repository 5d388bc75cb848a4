// Export: trained weights -> one inference model (`image` -> `logits`, `probabilities`), one embedding
// model (`image` -> `embedding`), both with the weights frozen into initializers and the metadata in
// metadata_props, plus the `model.json` sidecar. Only ai.onnx ops; checked before anything is written.

import { join } from 'node:path';
import { serialize, type Value } from '../onnx/index.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import { type ModelConfig, encoderConfig } from '../../graphs/config.ts';
import { encoder as graphsEncoder, type EncoderConfig, encoderLabel } from '../../graphs/encoders/index.ts';
import { checkModel, type CheckOptions, type CheckReport } from './check_model.ts';
import { buildInferenceGraph, type EncoderForward } from './inference_graph.ts';
import { METADATA_FORMAT, type Json, type ModelMetadata, toMetadataProps } from './metadata.ts';

export const MODEL_FILE = 'model.onnx';
export const EMBEDDING_FILE = 'model.embed.onnx';
export const SIDECAR_FILE = 'model.json';

export interface ExportSpec {
  /** The encoder forward; `encoderFromConfig(cfg)` for the encoders of graphs/. */
  encoder: EncoderForward;
  /** Architecture name recorded in the metadata (`resnet18`, `small_cnn`, ...). */
  encoderName: string;
  /** Parameters and BatchNorm buffers by state-dict name (`encoder.conv1.weight`, `classifier.bias`). */
  weights: ReadonlyMap<string, Float32Array>;
  classes: readonly string[];
  inputSize: number;
  channels: 1 | 3;
  mean: readonly number[];
  std: readonly number[];
  modelName: string;
  /** Training configuration, recorded as is. */
  config?: Json;
}

export interface ExportedModels {
  classifier: Uint8Array;
  embedding: Uint8Array;
  metadata: ModelMetadata;
  /** Weights the inference graph does not use (projection head, ...), for the caller to report. */
  unusedWeights: string[];
}

export class ExportError extends Error {
  override name = 'ExportError';
}

/** The encoders of graphs/ as an EncoderForward (they add the `encoder.` scope themselves). */
export function encoderFromConfig(cfg: EncoderConfig): EncoderForward {
  return (ctx, images) => graphsEncoder(ctx, images, cfg);
}

/** Builds and serialises both models in memory (no files, no runtime checks). */
export function buildExportedModels(spec: ExportSpec): ExportedModels {
  const g = buildInferenceGraph({
    encoder: spec.encoder,
    channels: spec.channels,
    inputSize: spec.inputSize,
    mean: spec.mean,
    std: spec.std,
    numClasses: spec.classes.length,
  });
  const freeze = new Map<Value, Float32Array>();
  const missing: string[] = [];
  for (const p of g.params.list) {
    const data = spec.weights.get(p.name);
    const count = p.shape.reduce((a, b) => a * b, 1);
    if (!data) missing.push(p.name);
    else if (data.length !== count) throw new ExportError(`weight ${p.name} has ${data.length} values, the graph needs [${p.shape.join(', ')}] = ${count}`);
    else freeze.set(p.value, data);
  }
  if (missing.length > 0) {
    throw new ExportError(`${missing.length} weight(s) missing for ${spec.encoderName}: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', ...' : ''}`);
  }
  const used = new Set(g.params.list.map((p) => p.name));
  const metadata: ModelMetadata = {
    format: METADATA_FORMAT,
    modelName: spec.modelName,
    encoder: spec.encoderName,
    classes: [...spec.classes],
    inputSize: spec.inputSize,
    channels: spec.channels,
    mean: [...spec.mean],
    std: [...spec.std],
    embeddingDim: g.featureDim,
    files: { classifier: MODEL_FILE, embedding: EMBEDDING_FILE },
    config: spec.config ?? null,
  };
  const common = { freeze, pruneInputs: true, metadata: toMetadataProps(metadata) };
  return {
    classifier: serialize(g.params.graph, { ...common, name: spec.modelName, outputs: { logits: g.logits, probabilities: g.probabilities } }),
    embedding: serialize(g.params.graph, { ...common, name: `${spec.modelName}.embedding`, outputs: { embedding: g.embedding } }),
    metadata,
    unusedWeights: [...spec.weights.keys()].filter((k) => !used.has(k)),
  };
}

export interface ExportResult extends ExportedModels {
  paths: { classifier: string; embedding: string; sidecar: string };
  checks: { classifier: CheckReport; embedding: CheckReport };
}


/**
 * Builds, checks (structure; + onnxruntime-node and onnxruntime-web WASM unless `check` is false) and
 * writes `model.onnx`, `model.embed.onnx` and `model.json` into `outDir`.
 */
export async function exportModel(spec: ExportSpec & { outDir: string; check?: CheckOptions | false }): Promise<ExportResult> {
  const models = buildExportedModels(spec);
  // The structural check (ai.onnx only, every input defined, typed inputs and outputs) always runs;
  // `check: false` skips only loading the models in onnxruntime-node and -web.
  const checkOptions = spec.check === false ? { runtimes: [] } : spec.check;
  const checks = { classifier: await checkModel(models.classifier, checkOptions), embedding: await checkModel(models.embedding, checkOptions) };
  const paths = { classifier: join(spec.outDir, MODEL_FILE), embedding: join(spec.outDir, EMBEDDING_FILE), sidecar: join(spec.outDir, SIDECAR_FILE) };
  writeFileAtomic(paths.classifier, models.classifier);
  writeFileAtomic(paths.embedding, models.embedding);
  writeFileAtomic(paths.sidecar, `${JSON.stringify(models.metadata, null, 2)}\n`);
  return { ...models, paths, checks };
}

/** Everything `exportModel` needs that a graphs/ ModelConfig already says. */
export function specFromModelConfig(cfg: ModelConfig): Pick<ExportSpec, 'encoder' | 'encoderName' | 'inputSize' | 'channels' | 'config'> {
  if (cfg.inputChannels !== 1 && cfg.inputChannels !== 3) throw new ExportError(`inputChannels must be 1 or 3, got ${cfg.inputChannels}`);
  return {
    encoder: encoderFromConfig(encoderConfig(cfg)),
    encoderName: encoderLabel(cfg.encoder),
    inputSize: cfg.inputSize,
    channels: cfg.inputChannels,
    config: JSON.parse(JSON.stringify(cfg)) as Json,
  };
}
