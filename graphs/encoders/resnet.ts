// ResNet-18/34/50 as in SupContrast's `resnet_big.py` (the CIFAR ResNet of the SupCon paper), with the
// ImageNet stem as an option. Parameter names follow its state dict: `conv1.weight`, `bn1.running_mean`,
// `layer1.0.conv1.weight`, `layer1.0.shortcut.0.weight` (the caller adds the `encoder.` scope).

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { type LayerContext, batchNorm2d, conv2d } from '../layers.ts';

export type ResNetName = 'resnet18' | 'resnet34' | 'resnet50';

/** 'cifar': 3x3 conv stride 1, no max-pool; 'imagenet': 7x7 conv stride 2 pad 3, then 3x3 max-pool stride 2 pad 1. */
export type Stem = 'cifar' | 'imagenet';

interface Layout {
  block: 'basic' | 'bottleneck';
  blocks: readonly [number, number, number, number];
}

const LAYOUTS: Record<ResNetName, Layout> = {
  resnet18: { block: 'basic', blocks: [2, 2, 2, 2] },
  resnet34: { block: 'basic', blocks: [3, 4, 6, 3] },
  resnet50: { block: 'bottleneck', blocks: [3, 4, 6, 3] },
};

const PLANES = [64, 128, 256, 512] as const;

const expansion = (layout: Layout): number => (layout.block === 'basic' ? 1 : 4);

/** Output dimension of the encoder after global average pooling: 512 (BasicBlock) or 2048 (Bottleneck). */
export function resnetDim(name: ResNetName): number {
  return 512 * expansion(LAYOUTS[name]);
}

function convBn(ctx: LayerContext, index: number, x: Value, cin: number, cout: number, kernel: number, stride: number, relu = false): Value {
  const y = conv2d(ctx, `conv${index}`, x, cin, cout, { kernel, stride, padding: (kernel - 1) / 2 });
  return batchNorm2d(ctx, `bn${index}`, y, cout, { relu });
}

/** Identity, or conv1x1(stride) + BN named `shortcut.0` / `shortcut.1` when the shape changes. */
function shortcut(ctx: LayerContext, x: Value, cin: number, cout: number, stride: number): Value {
  if (stride === 1 && cin === cout) return x;
  return ctx.params.graph.scope('shortcut', () => {
    const y = conv2d(ctx, '0', x, cin, cout, { kernel: 1, stride });
    return batchNorm2d(ctx, '1', y, cout);
  });
}

/** relu(bn2(conv3x3(relu(bn1(conv3x3_s(x))))) + shortcut(x)). */
function basicBlock(ctx: LayerContext, x: Value, cin: number, planes: number, stride: number): Value {
  const h = convBn(ctx, 1, x, cin, planes, 3, stride, true);
  const y = convBn(ctx, 2, h, planes, planes, 3, 1);
  return b.relu(b.add(y, shortcut(ctx, x, cin, planes, stride)));
}

/** conv1x1 -> conv3x3 (stride here, as SupContrast) -> conv1x1 to 4 * planes, plus shortcut. */
function bottleneck(ctx: LayerContext, x: Value, cin: number, planes: number, stride: number): Value {
  const h1 = convBn(ctx, 1, x, cin, planes, 1, 1, true);
  const h2 = convBn(ctx, 2, h1, planes, planes, 3, stride, true);
  const y = convBn(ctx, 3, h2, planes, 4 * planes, 1, 1);
  return b.relu(b.add(y, shortcut(ctx, x, cin, 4 * planes, stride)));
}

/** x [N, C, H, W] -> [N, 512 | 2048] (global average pooled, flattened). */
export function resnet(ctx: LayerContext, x: Value, name: ResNetName, stem: Stem): Value {
  const g = ctx.params.graph;
  const layout = LAYOUTS[name];
  const inChannels = x.shape[1];
  if (typeof inChannels !== 'number') throw new Error(`resnet: input channels must be static, got ${b.formatShape(x.shape)}`);

  let h: Value;
  if (stem === 'cifar') {
    h = convBn(ctx, 1, x, inChannels, 64, 3, 1, true);
  } else {
    // relu(maxPool(.)) = maxPool(relu(.)) (padding never wins a max): the ReLU on a quarter of the values.
    h = b.relu(b.maxPool(convBn(ctx, 1, x, inChannels, 64, 7, 2), { kernel: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }));
  }

  let cin = 64;
  const block = layout.block === 'basic' ? basicBlock : bottleneck;
  PLANES.forEach((planes, li) => {
    g.scope(`layer${li + 1}`, () => {
      for (let bi = 0; bi < layout.blocks[li]!; bi++) {
        const stride = bi === 0 && li > 0 ? 2 : 1;
        h = g.scope(bi, () => block(ctx, h, cin, planes, stride));
        cin = planes * expansion(layout);
      }
    });
  });
  return b.flatten(b.globalAveragePool(h), 1);
}
