// The encoder family behind one config: ResNet-18/34/50 (CIFAR or ImageNet stem), the small CNN, and
// an imported ONNX model (`onnx:<file>`, onnx.ts). Every encoder lives under the `encoder.` scope and
// maps images [N, C, H, W] to features [N, D].

import type { Value } from '../../src/onnx/index.ts';
import { type LayerContext, l2Normalize } from '../layers.ts';
import { type OnnxEncoderName, isOnnxEncoder, onnxEncoder, onnxEncoderOf } from './onnx.ts';
import { type ResNetName, type Stem, resnet, resnetDim } from './resnet.ts';
import { smallCnn, smallCnnDim } from './small_cnn.ts';

export type { OnnxEncoderName, ResNetName, Stem };
export { isOnnxEncoder };
export type BuiltinEncoderName = ResNetName | 'small_cnn';
export type EncoderName = BuiltinEncoderName | OnnxEncoderName;
export const ENCODER_NAMES: readonly BuiltinEncoderName[] = ['resnet18', 'resnet34', 'resnet50', 'small_cnn'];

export interface EncoderConfig {
  name: EncoderName;
  /** ResNets only. */
  stem: Stem;
  /** Small CNN base width w (channels w, 2w, 4w). */
  width: number;
  /** L2-normalise the encoder output (the representation the classifier and `embed` see). */
  normalize: boolean;
  /** Imported models only: the value taken as features (default: the input of the last Gemm / MatMul). */
  featureOutput?: string | undefined;
}

/** The encoder's name without local folders (an imported model's file name only), for metadata and folder names. */
export function encoderLabel(name: EncoderName): string {
  return isOnnxEncoder(name) ? `onnx:${name.split(/[\\/]/).pop() ?? ''}` : name;
}

export function encoderDim(cfg: EncoderConfig): number {
  if (isOnnxEncoder(cfg.name)) return onnxEncoderOf(cfg.name, cfg.featureOutput).featureDim;
  return cfg.name === 'small_cnn' ? smallCnnDim(cfg.width) : resnetDim(cfg.name);
}

/** images [N, C, H, W] -> features [N, encoderDim(cfg)], under the `encoder.` scope. */
export function encoder(ctx: LayerContext, images: Value, cfg: EncoderConfig): Value {
  const { name } = cfg;
  const features = ctx.params.graph.scope('encoder', () => {
    if (isOnnxEncoder(name)) return onnxEncoder(ctx, images, onnxEncoderOf(name, cfg.featureOutput));
    return name === 'small_cnn' ? smallCnn(ctx, images, cfg.width) : resnet(ctx, images, name, cfg.stem);
  });
  return cfg.normalize ? l2Normalize(features) : features;
}
