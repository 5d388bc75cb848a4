// The encoder family behind one config: ResNet-18/34/50 (CIFAR or ImageNet stem) and the small CNN.
// Every encoder lives under the `encoder.` scope and maps images [N, C, H, W] to features [N, D].

import type { Value } from '../../src/onnx/index.ts';
import { type LayerContext, l2Normalize } from '../layers.ts';
import { type ResNetName, type Stem, resnet, resnetDim } from './resnet.ts';
import { smallCnn, smallCnnDim } from './small_cnn.ts';

export type { ResNetName, Stem };
export type EncoderName = ResNetName | 'small_cnn';
export const ENCODER_NAMES: readonly EncoderName[] = ['resnet18', 'resnet34', 'resnet50', 'small_cnn'];

export interface EncoderConfig {
  name: EncoderName;
  /** ResNets only. */
  stem: Stem;
  /** Small CNN base width w (channels w, 2w, 4w). */
  width: number;
  /** L2-normalise the encoder output (the representation the classifier and `embed` see). */
  normalize: boolean;
}

export function encoderDim(cfg: EncoderConfig): number {
  return cfg.name === 'small_cnn' ? smallCnnDim(cfg.width) : resnetDim(cfg.name);
}

/** images [N, C, H, W] -> features [N, encoderDim(cfg)], under the `encoder.` scope. */
export function encoder(ctx: LayerContext, images: Value, cfg: EncoderConfig): Value {
  const features = ctx.params.graph.scope('encoder', () =>
    cfg.name === 'small_cnn' ? smallCnn(ctx, images, cfg.width) : resnet(ctx, images, cfg.name, cfg.stem),
  );
  return cfg.normalize ? l2Normalize(features) : features;
}
