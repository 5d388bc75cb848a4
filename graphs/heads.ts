// Heads on top of the encoder, named as SupContrast's state dict: the projection head (`head.0`, `head.2`
// for the MLP, `head` for the linear one) whose output is L2-normalised, and the linear classifier
// (`classifier.weight`, `classifier.bias`) used by stage 2 and the cross-entropy baseline.

import * as b from '../src/onnx/index.ts';
import type { Value } from '../src/onnx/index.ts';
import { type LayerContext, l2Normalize, linear } from './layers.ts';

/** 'mlp': Linear(dim, hidden) -> ReLU -> Linear(hidden, featDim); 'linear': Linear(dim, featDim); 'none': no head. */
export type HeadKind = 'mlp' | 'linear' | 'none';

export interface HeadConfig {
  kind: HeadKind;
  /** Hidden width of the MLP (SupContrast uses the encoder dimension). */
  hidden: number;
  /** Output dimension (SupContrast: 128). */
  featDim: number;
}

/** features [N, dim] -> L2-normalised projections [N, featDim] (or normalised features for 'none'). */
export function projectionHead(ctx: LayerContext, features: Value, dim: number, cfg: HeadConfig): Value {
  const g = ctx.params.graph;
  switch (cfg.kind) {
    case 'none':
      return l2Normalize(features);
    case 'linear':
      return l2Normalize(linear(ctx, 'head', features, dim, cfg.featDim));
    case 'mlp':
      return l2Normalize(
        g.scope('head', () => {
          const h = b.relu(linear(ctx, '0', features, dim, cfg.hidden));
          return linear(ctx, '2', h, cfg.hidden, cfg.featDim);
        }),
      );
  }
}

/** features [N, dim] -> logits [N, numClasses]. */
export function linearClassifier(ctx: LayerContext, features: Value, dim: number, numClasses: number): Value {
  return linear(ctx, 'classifier', features, dim, numClasses);
}
