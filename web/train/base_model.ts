// What training in the page starts from: an encoder architecture, its weights, and the input format the
// weights expect. Today from a run's exported model (model.onnx holds the encoder's weights as
// initializers, model.json says how the encoder is built and how pixels are normalised). An ONNX model
// imported as an encoder becomes one more constructor of BaseModel; the trainer (fine_tune.ts) sees only
// this interface.

import { type ArchitectureConfig, defaultArchitecture } from '../../graphs/config.ts';
import { ENCODER_NAMES, type EncoderName } from '../../graphs/encoders/index.ts';
import type { ModelMetadata } from '../../src/export/metadata.ts';
import { decodeFloatInitializers } from '../../src/onnx/decode.ts';
import { TrainError } from './errors.ts';

export interface BaseModel {
  name: string;
  /** Encoder, projection head, loss and optimizers of the graphs the page builds. */
  architecture: ArchitectureConfig;
  /** `encoder.*` parameters and BatchNorm buffers by state-dict name. */
  encoderWeights: Map<string, Float32Array>;
  inputSize: number;
  channels: 1 | 3;
  mean: number[];
  std: number[];
}

const STEMS = ['cifar', 'imagenet'] as const;

type Fields = Record<string, unknown>;
const isFields = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The architecture recorded in an export's config: a run's TrainConfig keeps it under `model`, a
 * ModelConfig (and a model this page trained) at the top. What SupCon fine-tuning needs beyond the encoder
 * and the config does not say (an older export) comes from defaultArchitecture().
 */
export function architectureOf(config: unknown): ArchitectureConfig {
  const fields = isFields(config) ? (isFields(config['model']) ? config['model'] : config) : {};
  const fail = (what: string): never => {
    throw new TrainError('model', `model.json's config does not say how the encoder is built (${what}); the page trains on from models that \`train\` exported`);
  };
  const encoder = fields['encoder'];
  if (typeof encoder !== 'string' || !(ENCODER_NAMES as readonly string[]).includes(encoder)) fail(`encoder ${JSON.stringify(encoder)} is not one of ${ENCODER_NAMES.join(', ')}`);
  const width = fields['width'];
  if (typeof width !== 'number' || !Number.isInteger(width) || width < 1) fail(`width ${JSON.stringify(width)}`);
  const stem = fields['stem'] ?? 'cifar';
  if (!(STEMS as readonly unknown[]).includes(stem)) fail(`stem ${JSON.stringify(stem)}`);
  const defaults = defaultArchitecture();
  const pick = <K extends keyof ArchitectureConfig>(key: K, ok: (v: unknown) => boolean): ArchitectureConfig[K] =>
    ok(fields[key]) ? (fields[key] as ArchitectureConfig[K]) : defaults[key];
  const positive = (v: unknown): boolean => typeof v === 'number' && v > 0;
  const nonNegative = (v: unknown): boolean => typeof v === 'number' && v >= 0;
  return {
    ...defaults,
    encoder: encoder as EncoderName,
    width: width as number,
    stem: stem as ArchitectureConfig['stem'],
    normalizeEncoder: pick('normalizeEncoder', (v) => typeof v === 'boolean'),
    head: pick('head', (v) => v === 'mlp' || v === 'linear'),
    headHidden: pick('headHidden', nonNegative),
    featDim: pick('featDim', positive),
    temperature: pick('temperature', positive),
    baseTemperature: pick('baseTemperature', nonNegative),
  };
}

/** The base model of an exported model.onnx and its model.json. */
export function baseModelFromExport(model: Uint8Array, metadata: ModelMetadata): BaseModel {
  let weights: ReturnType<typeof decodeFloatInitializers>;
  try {
    weights = decodeFloatInitializers(model);
  } catch (err) {
    throw new TrainError('model', `model.onnx is not an ONNX model this page can read: ${err instanceof Error ? err.message : String(err)}`);
  }
  const encoderWeights = new Map<string, Float32Array>();
  for (const [name, w] of weights) if (name.startsWith('encoder.')) encoderWeights.set(name, w.data);
  if (encoderWeights.size === 0) throw new TrainError('model', 'model.onnx holds no encoder.* weights: it was not exported by `export`');
  return {
    name: metadata.modelName,
    architecture: architectureOf(metadata.config),
    encoderWeights,
    inputSize: metadata.inputSize,
    channels: metadata.channels,
    mean: metadata.mean,
    std: metadata.std,
  };
}
