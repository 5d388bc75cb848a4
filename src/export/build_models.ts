// Building the exported models in memory, without files or runtimes: pure TypeScript, so that the
// browser's Train view (web/train) writes its download in the very format `export` does.

import { serialize, type Value } from '../onnx/index.ts';
import { type ModelConfig, encoderConfig } from '../../graphs/config.ts';
import { encoder as graphsEncoder, type EncoderConfig, encoderLabel } from '../../graphs/encoders/index.ts';
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
