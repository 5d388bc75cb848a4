// A small VGG-style CNN for quick runs and 28x28 Fashion-MNIST: two stages of conv-BN-ReLU pairs with
// 2x2 max-pooling, then one wider conv and global average pooling. With width w:
//   conv(w) conv(w) pool | conv(2w) conv(2w) pool | conv(4w) GAP  ->  [N, 4w]
// Names: `conv1.weight`, `bn1.running_mean`, ... `conv5`, `bn5` (the caller adds the `encoder.` scope).

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { type LayerContext, batchNorm2d, conv2d } from '../layers.ts';

/** Output channels per conv, with `null` for a 2x2 max-pool. */
function plan(width: number): (number | null)[] {
  return [width, width, null, 2 * width, 2 * width, null, 4 * width];
}

export function smallCnnDim(width: number): number {
  return 4 * width;
}

/** x [N, C, H, W] (H, W >= 4) -> [N, 4 * width]. */
export function smallCnn(ctx: LayerContext, x: Value, width: number): Value {
  let cin = x.shape[1];
  if (typeof cin !== 'number') throw new Error(`smallCnn: input channels must be static, got ${b.formatShape(x.shape)}`);
  let h = x;
  let index = 0;
  for (const cout of plan(width)) {
    if (cout === null) {
      h = b.maxPool(h, { kernel: [2, 2], strides: [2, 2] });
      continue;
    }
    index++;
    const y = conv2d(ctx, `conv${index}`, h, cin, cout, { kernel: 3, padding: 1 });
    h = b.relu(batchNorm2d(ctx, `bn${index}`, y, cout));
    cin = cout;
  }
  return b.flatten(b.globalAveragePool(h), 1);
}
