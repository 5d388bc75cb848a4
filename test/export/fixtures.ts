// Shared fixtures for export, serve and web tests: models with random weights and non-trivial
// BatchNorm running statistics, exported to a temporary folder; and a "colour" model whose answers are
// known (red / green / blue by mean colour).

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as b from '../../src/onnx/index.ts';
import { batchNorm2d, conv2d } from '../../graphs/layers.ts';
import { Rng } from '../../src/data/rng.ts';
import { initialState } from '../../src/runtime/init.ts';
import { buildInferenceGraph, type EncoderForward } from '../../src/export/inference_graph.ts';
import { encoderFromConfig, exportModel, type ExportResult, type ExportSpec } from '../../src/export/export_model.ts';
import type { CheckOptions } from '../../src/export/check_model.ts';

export const SMALL_CNN: EncoderForward = encoderFromConfig({ name: 'small_cnn', stem: 'cifar', width: 4, normalize: false });

/**
 * Random weights for every parameter `encoder` declares (plus the classifier), with BatchNorm running
 * means in [-0.2, 0.2], variances in [0.5, 2] and affine parameters away from 1 / 0, so that eval-mode
 * BatchNorm is not an identity.
 */
export function randomWeights(encoder: EncoderForward, spec: { channels: 1 | 3; inputSize: number; numClasses: number }, seed = 1): Map<string, Float32Array> {
  const g = buildInferenceGraph({ encoder, ...spec, mean: Array(spec.channels).fill(0.5), std: Array(spec.channels).fill(0.25) });
  const state = initialState(g.params.list, [], seed);
  const rng = new Rng(seed + 1000);
  const bnPrefixes = new Set([...state.keys()].filter((n) => n.endsWith('.running_mean')).map((n) => n.slice(0, -'.running_mean'.length)));
  const weights = new Map<string, Float32Array>();
  const fill = (data: Float32Array, lo: number, hi: number): void => data.forEach((_, i) => (data[i] = rng.uniform(lo, hi)));
  for (const [name, t] of state) {
    const data = t.data as Float32Array;
    const dot = name.lastIndexOf('.');
    const [prefix, leaf] = [name.slice(0, dot), name.slice(dot + 1)];
    if (bnPrefixes.has(prefix)) {
      if (leaf === 'running_mean') fill(data, -0.2, 0.2);
      else if (leaf === 'running_var') fill(data, 0.5, 2);
      else if (leaf === 'weight') fill(data, 0.7, 1.3);
      else if (leaf === 'bias') fill(data, -0.1, 0.1);
    }
    weights.set(name, data);
  }
  return weights;
}

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `supcon-${prefix}-`));
}

export const CNN_CLASSES = ['airplane', 'bird', 'cat', 'dog', 'frog'];

/** A small CNN (width 4) on 3x16x16 with random weights, exported and checked in `dir`. */
export async function exportSmallCnn(dir: string, overrides: Partial<ExportSpec> & { check?: CheckOptions | false } = {}): Promise<ExportResult> {
  const shape = { channels: 3 as const, inputSize: 16, numClasses: CNN_CLASSES.length };
  return exportModel({
    encoder: SMALL_CNN,
    encoderName: 'small_cnn',
    weights: randomWeights(SMALL_CNN, shape),
    classes: CNN_CLASSES,
    inputSize: shape.inputSize,
    channels: shape.channels,
    mean: [0.49, 0.48, 0.45],
    std: [0.25, 0.24, 0.26],
    modelName: 'test-small-cnn',
    config: { encoder: 'small_cnn', width: 4, note: 'random weights' },
    outDir: dir,
    ...overrides,
  });
}

/**
 * The colour model: a 1x1 conv + BN (eval) encoder followed by global average pooling, so the features
 * are the mean normalised colour, and a classifier that reads them as red / green / blue.
 */
export const COLOUR_CLASSES = ['red', 'green', 'blue'];

const colourEncoder: EncoderForward = (ctx, x) =>
  ctx.params.graph.scope('encoder', () => {
    const y = batchNorm2d(ctx, 'bn1', conv2d(ctx, 'conv1', x, 3, 3, { kernel: 1 }), 3);
    return b.flatten(b.globalAveragePool(y), 1);
  });

export async function exportColourModel(dir: string): Promise<ExportResult> {
  const eye = Float32Array.from([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  const weights = new Map<string, Float32Array>([
    ['encoder.conv1.weight', eye],
    ['encoder.bn1.weight', Float32Array.from([1, 1, 1])],
    ['encoder.bn1.bias', Float32Array.from([0, 0, 0])],
    ['encoder.bn1.running_mean', Float32Array.from([0.1, -0.1, 0.05])],
    ['encoder.bn1.running_var', Float32Array.from([1, 1, 1])],
    // logit_k = 2 * feature_k - (sum of the others): the dominant channel wins.
    ['classifier.weight', Float32Array.from([2, -1, -1, -1, 2, -1, -1, -1, 2])],
    ['classifier.bias', Float32Array.from([0, 0, 0])],
  ]);
  return exportModel({
    encoder: colourEncoder,
    encoderName: 'colour_probe',
    weights,
    classes: COLOUR_CLASSES,
    inputSize: 8,
    channels: 3,
    mean: [0.5, 0.5, 0.5],
    std: [0.5, 0.5, 0.5],
    modelName: 'test-colour',
    outDir: dir,
  });
}

/** Deterministic pixels in [0, 1] for a batch [n, c, s, s]. */
export function randomPixels(n: number, c: number, s: number, seed = 7): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n * c * s * s }, () => rng.uniform(0, 1));
}
