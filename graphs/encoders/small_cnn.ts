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
  const layers = plan(width);
  for (const [i, cout] of layers.entries()) {
    if (cout === null) continue; // pooled with the conv before it
    index++;
    const y = batchNorm2d(ctx, `bn${index}`, conv2d(ctx, `conv${index}`, h, cin, cout, { kernel: 3, padding: 1 }), cout);
    // ReLU and max-pooling commute (max(relu(a), relu(b)) = relu(max(a, b))): pooling first runs the
    // ReLU and its gradient on a quarter of the values.
    h = layers[i + 1] === null ? b.relu(b.maxPool(y, { kernel: [2, 2], strides: [2, 2] })) : b.relu(y);
    cin = cout;
  }
  return b.flatten(b.globalAveragePool(h), 1);
}
