// An imported ONNX model as an encoder (`--encoder onnx:<file>`): its graph up to the feature output,
// under the `encoder.` scope like every encoder, with its initializers as parameters (their values the
// initial ones, their names the state-dict names) and its BatchNormalization nodes run by
// batchNormApply: batch statistics and PyTorch's running-statistics updates in training, the running
// statistics otherwise. Where the exporter folded BatchNorm into Conv, the Conv bias is a parameter
// like any other. graphs/ reads no files: the host reads the model and registers it here by name.

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { type ImportHooks, type ImportPlan, type OnnxModel, ImportError, defaultFeatureOutput, importOnnxGraph, planImport } from '../../src/onnx/import/index.ts';
import { type LayerContext, batchNormApply } from '../layers.ts';
import { Params } from '../params.ts';

export type OnnxEncoderName = `onnx:${string}`;

export const isOnnxEncoder = (name: string): name is OnnxEncoderName => name.startsWith('onnx:');

export interface OnnxEncoder {
  name: OnnxEncoderName;
  plan: ImportPlan;
  /** The model's image input: its name, channels and square side (undefined when not static). */
  input: { name: string; channels: number; size: number | undefined };
  featureOutput: string;
  /** D of the features [N, D]. */
  featureDim: number;
}

const registry = new Map<string, OnnxEncoder>();
const key = (name: string, featureOutput: string | undefined): string => `${name}\n${featureOutput ?? ''}`;

/** Side of the images a model with dynamic spatial dims is tried at, to find its feature size. */
const PROBE_SIDE = 224;

/** The model's one image input [N, C, H, W]; anything else is an error naming what it has. */
function imageInput(model: OnnxModel): OnnxEncoder['input'] {
  const fed = model.inputs;
  if (fed.length !== 1) throw new ImportError(`${model.source} has ${fed.length} inputs (${fed.map((v) => v.name).join(', ')}); an encoder takes one, the images`);
  const { name, dims, dtype } = fed[0]!;
  const [, channels, h, w] = dims ?? [];
  if (dims?.length !== 4 || dtype !== 'float32' || typeof channels !== 'number') {
    throw new ImportError(`${model.source}: input ${name} is ${dtype ?? 'untyped'} [${dims?.join(', ') ?? '?'}]; an image encoder takes float32 [N, C, H, W] with a static C`);
  }
  return { name, channels, size: typeof h === 'number' && h === w ? h : undefined };
}

/**
 * Plans the import of `model` as encoder `name` (up to `featureOutput`, default the input of its last
 * Gemm / MatMul), builds it once to check it and find D, and registers it for `encoder()`.
 */
export function registerOnnxEncoder(name: OnnxEncoderName, model: OnnxModel, featureOutput?: string): OnnxEncoder {
  const output = featureOutput ?? defaultFeatureOutput(model);
  const input = imageInput(model);
  const draft: OnnxEncoder = { name, plan: planImport(model, [output]), input, featureOutput: output, featureDim: 0 };
  const ctx: LayerContext = { params: new Params(new b.Graph()), training: false };
  const side = input.size ?? PROBE_SIDE;
  const features = build(ctx, ctx.params.graph.input('images', 'float32', ['batch', input.channels, side, side]), draft);
  const dim = features.shape[1];
  if (features.rank !== 2 || typeof dim !== 'number') {
    throw new ImportError(`${model.source}: feature output ${output} is [${features.shape.join(', ')}]; an encoder returns [N, D]: name a flattened value with --feature-output`);
  }
  const encoder = { ...draft, featureDim: dim };
  registry.set(key(name, featureOutput), encoder);
  return encoder;
}

/** The registered encoder `name` (with that feature output). */
export function onnxEncoderOf(name: OnnxEncoderName, featureOutput: string | undefined): OnnxEncoder {
  const found = registry.get(key(name, featureOutput));
  if (!found) throw new Error(`encoder ${name}${featureOutput ? ` (feature output ${featureOutput})` : ''} has not been read: the host registers imported models (registerOnnxEncoder) before building graphs`);
  return found;
}

/** images [N, C, H, W] -> the model's features [N, D], parameters declared in ctx.params. */
export function onnxEncoder(ctx: LayerContext, images: Value, encoder: OnnxEncoder): Value {
  const features = build(ctx, images, encoder);
  if (features.shape[1] !== encoder.featureDim) {
    throw new ImportError(`${encoder.plan.model.source}: feature output ${encoder.featureOutput} is [${features.shape.join(', ')}] at ${images.shape[2]}x${images.shape[3]}, [N, ${encoder.featureDim}] at the model's own size: name an output after global pooling (--feature-output)`);
  }
  return features;
}

function build(ctx: LayerContext, images: Value, encoder: OnnxEncoder): Value {
  const { params } = ctx;
  const { plan, input } = encoder;
  if (images.shape[1] !== input.channels) {
    throw new ImportError(`${plan.model.source}: its input ${input.name} takes ${input.channels} channels, the images have ${String(images.shape[1])}`);
  }
  const hooks: ImportHooks = {
    parameter: (slot) => {
      // A model that supcon-onnx exported names its encoder's parameters encoder.*; the scope adds it back.
      const local = slot.name.startsWith('encoder.') ? slot.name.slice('encoder.'.length) : slot.name;
      const init = { kind: 'imported', from: `${plan.model.source}:${slot.tensor}`, data: slot.data } as const;
      if (slot.role === 'running_mean' || slot.role === 'running_var') return params.buffer(local, slot.dims, init);
      // Weight decay on weights, not on biases and BatchNorm's affine parameters (as graphs/layers.ts).
      return params.param(local, slot.dims, init, { decay: slot.dims.length > 1 });
    },
    // ONNX's momentum weighs the running value (0.9), PyTorch's the batch (0.1).
    batchNorm: (x, s, a) => batchNormApply(ctx, x, { gamma: s.scale, beta: s.bias, runningMean: s.mean, runningVar: s.variance }, { eps: a.epsilon, momentum: 1 - a.momentum }),
  };
  const [features] = importOnnxGraph(plan, params.graph, { [input.name]: images }, [encoder.featureOutput], hooks);
  return features!;
}
