// The inference graph: raw pixels in, normalisation inside, encoder in eval mode (BatchNormalization
// with running statistics), linear classifier, softmax; plus the L2-normalised embedding for retrieval.
// Written against a forward function so that any encoder of graphs/ (or a test's own) plugs in.

import * as b from '../onnx/index.ts';
import type { Value } from '../onnx/index.ts';
import { Params } from '../../graphs/params.ts';
import { type LayerContext, l2Normalize } from '../../graphs/layers.ts';
import { linearClassifier } from '../../graphs/heads.ts';

/** images [N, C, H, W] (already normalised) -> features [N, D]; parameters declared through ctx.params. */
export type EncoderForward = (ctx: LayerContext, images: Value) => Value;

export interface InferenceGraphSpec {
  encoder: EncoderForward;
  channels: 1 | 3;
  inputSize: number;
  mean: readonly number[];
  std: readonly number[];
  numClasses: number;
}

export interface InferenceGraph {
  params: Params;
  /** `image` [batch, C, H, W], float32 pixels in [0, 1]. */
  image: Value;
  /** [batch, numClasses] */
  logits: Value;
  /** softmax(logits) [batch, numClasses] */
  probabilities: Value;
  /** L2-normalised encoder output [batch, D] */
  embedding: Value;
  featureDim: number;
}

/** Builds both heads over one encoder; serialising with different outputs gives the two models. */
export function buildInferenceGraph(spec: InferenceGraphSpec): InferenceGraph {
  const { channels: c, inputSize: s } = spec;
  if (spec.mean.length !== c || spec.std.length !== c) throw new RangeError(`mean/std need ${c} values each`);
  const graph = new b.Graph();
  const params = new Params(graph);
  const ctx: LayerContext = { params, training: false };
  const image = graph.input('image', 'float32', ['batch', c, s, s]);
  // (x - mean) * (1 / std), the same arithmetic as the host-side normalisation of src/data (writeNchw).
  const mean = graph.constant(Float32Array.from(spec.mean), 'float32', [1, c, 1, 1], 'preprocess.mean');
  const invStd = graph.constant(Float32Array.from(spec.std, (v) => 1 / v), 'float32', [1, c, 1, 1], 'preprocess.inv_std');
  const normalised = b.mul(b.sub(image, mean), invStd);
  const features = spec.encoder(ctx, normalised);
  const [, dim] = features.shape;
  if (features.rank !== 2 || typeof dim !== 'number') {
    throw new RangeError(`encoder must return [batch, D] features with a static D, got ${b.formatShape(features.shape)}`);
  }
  const logits = linearClassifier(ctx, features, dim, spec.numClasses);
  return { params, image, logits, probabilities: b.softmax(logits, -1), embedding: l2Normalize(features), featureDim: dim };
}
