// Training-mode batch norm over x [N, C, ...], statistics per channel over the M = N * H * W others:
//   mean = E[x], c = x - mean, var = E[c^2] (biased), r = 1 / sqrt(var + eps), y = gamma * r * c + beta
// with one closed-form backward (the mean and variance paths folded in):
//   dbeta = sum dy,  dgamma = r * sum(dy * c)
//   dx = gamma * r * (dy - sum(dy) / M - c * r^2 * sum(dy * c) / M)
// Differentiating the primitives instead costs ~13 full-size passes per layer backward; this costs 5
// (sum dy, dy * c and its sum, the per-channel affine in c, one Mul + Add). The forward is 4 passes:
// the mean, the centring, the sum of squares, and one inference-mode BatchNormalization as the affine.

import * as b from '../../onnx/index.ts';
import type { Value } from '../../onnx/index.ts';
import { withCustomVjp } from '../custom_vjp.ts';

export interface BatchNormTraining {
  /** Normalised, scaled and shifted x. */
  y: Value;
  /** Batch mean [1, C, 1, ...]. */
  mean: Value;
  /** Biased batch variance [C]. */
  variance: Value;
  /**
   * y again, from what its backward keeps (the centred x, the variance): a channel affine with scale
   * gamma * r, not the forward's op, so that it can stand in for y in the backward (recompute.ts).
   */
  rebuild: () => Value;
}

/** x [N, C, ...], gamma and beta [C]. */
export function batchNormTraining(x: Value, gamma: Value, beta: Value, eps: number): BatchNormTraining {
  const channels = b.staticShape(x.shape.slice(1, 2), 'batchNormTraining (channels)')[0]!;
  const axes = x.shape.map((_, i) => i).filter((i) => i !== 1);
  const count = b.staticShape(axes.map((a) => x.shape[a]!), 'batchNormTraining (reduced dims)').reduce((p, d) => p * d, 1);
  const perChannel = (v: Value): Value => b.reshape(v, [channels]);
  const broadcastable = (v: Value): Value => b.reshape(v, [1, channels, ...axes.slice(1).map(() => 1)]);

  const mean = b.reduceMean(x, axes, true);
  const centered = b.sub(x, mean);
  const variance = b.div(perChannel(b.reduceSumSquare(centered, axes, true)), count);
  const zeros = x.graph.constant(b.fromNumbers(x.dtype, new Array<number>(channels).fill(0)), x.dtype, [channels]);
  const y = b.batchNormInference(centered, gamma, beta, zeros, variance, eps);

  // r = 1 / sqrt(var + eps) [C] as the forward's op computes it, and gamma * r: built once, in the
  // backward, for the VJP and the rebuild (whichever comes first).
  let scaled: { r: Value; scale: Value } | undefined;
  const rAndScale = (): { r: Value; scale: Value } => {
    if (!scaled) {
      const r = b.reciprocal(b.sqrt(b.add(variance, Math.fround(eps))));
      scaled = { r, scale: b.mul(gamma, r) };
    }
    return scaled;
  };
  const vjp = (dy: Value): Value[] => {
    const { r, scale } = rAndScale();
    const sumDy = perChannel(b.reduceSum(dy, axes, true));
    const sumDyC = perChannel(b.reduceSum(b.mul(dy, centered), axes, true));
    const cCoefficient = b.neg(b.mul(scale, b.mul(b.mul(r, r), b.div(sumDyC, count))));
    const offset = b.neg(b.mul(scale, b.div(sumDy, count)));
    const dx = b.add(b.mul(dy, broadcastable(scale)), b.channelAffine(centered, cCoefficient, offset));
    return [dx, b.mul(sumDyC, r), sumDy];
  };
  const rebuild = (): Value => b.channelAffine(centered, rAndScale().scale, beta);
  return { y: withCustomVjp(y, { inputs: [x, gamma, beta], vjp }), mean, variance, rebuild };
}
