// The SupCon loss L_out (Khosla et al. 2020, eq. 2) exactly as SupContrast's `SupConLoss`, and SimCLR's
// NT-Xent as the same loss with every sample its own class. For anchor i over the contrast set:
//   L_i = -(tau / base_tau) * 1/|P(i)| * sum_{p in P(i)} log( exp(z_i.z_p/tau) / sum_{a != i} exp(z_i.z_a/tau) )
// The row max (over a != i) is subtracted under stopGradient (it cancels in the log-ratio). Anchors with no positive
// (possible with one view) are excluded: the loss is the mean of L_i over anchors with |P(i)| > 0.

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { offDiagonalMask, rangeLabels, repeatLabels, sameLabelMask, staticDim } from './masks.ts';

export interface SupConOptions {
  /** tau (SupContrast: 0.07; the paper's CIFAR runs 0.1). */
  temperature: number;
  /** The loss is scaled by tau / base_tau; default base_tau = tau (scale 1). */
  baseTemperature?: number;
  /** 'all': every view is an anchor; 'one': only view 0 of each sample (SupContrast's contrast_mode). */
  contrastMode?: 'all' | 'one';
}

/**
 * Projections of earlier steps that extend the contrast set (graphs/queue.ts): features [K, D], labels
 * int64 [K] with EMPTY_SLOT where nothing has been stored yet. They are contrasts, never anchors.
 */
export interface Memory {
  features: Value;
  labels: Value;
}

/** Label of a memory slot that holds nothing yet (left out of every denominator). */
export const EMPTY_SLOT = -1;
/** Label of a stored SimCLR projection: a negative for every anchor (no sample index can equal it). */
export const NEGATIVE_ONLY = -2;

/**
 * SupCon over contrast features already stacked view-major, as SupContrast's
 * `torch.cat(torch.unbind(features, dim=1))`: z [V * N, D] (rows v * N + i), L2-normalised.
 * labels: int64 [N], or undefined for SimCLR (each sample its own class). With `memory`, its K rows join
 * the contrast set (a stored projection with the anchor's label is a positive). Returns a scalar.
 */
export function supConViewMajor(z: Value, views: number, labels: Value | undefined, o: SupConOptions, memory?: Memory): Value {
  const g = z.graph;
  const m = staticDim(z, 0, 'supCon');
  if (m % views !== 0) throw new Error(`supCon: ${m} rows do not split into ${views} views`);
  const n = m / views;
  const tau = o.temperature;
  const all = (o.contrastMode ?? 'all') === 'all';
  const anchorCount = all ? m : n;

  const sampleLabels = labels ?? rangeLabels(g, n);
  const batchLabels = repeatLabels(sampleLabels, views); // [M]
  const anchorLabels = all ? batchLabels : sampleLabels; // [A]
  const anchors = all ? z : b.slice(z, [0], [n], [0]); // [A, D]: view 0 of each sample in 'one' mode
  const contrast = memory ? b.concat([z, memory.features], 0) : z; // [M (+ K), D]
  const contrastLabels = memory ? b.concat([batchLabels, memory.labels], 0) : batchLabels;
  const columns = staticDim(contrast, 0, 'supCon');

  const logits = b.mul(b.matmul(anchors, b.transpose(contrast, [1, 0])), 1 / tau); // [A, M (+ K)]
  let included = offDiagonalMask(g, anchorCount, columns, z.dtype); // 0 at (i, i): an anchor is not its own contrast
  if (memory) included = b.mul(included, b.cast(b.unsqueeze(b.not(b.equal(contrastLabels, EMPTY_SLOT)), [0]), z.dtype)); // and no empty slot is one
  // Any per-row constant cancels in the log-ratio; SupContrast's row max includes the self-similarity,
  // ours skips it, so that the denominator is >= 1 and cannot underflow to log(0) at small tau. The self
  // term is then masked before exp (exp(-1e9) = 0) rather than after, where exp could overflow.
  const selfPenalty = b.mul(b.sub(included, 1), 1e9); // -1e9 where excluded, 0 elsewhere
  const shifted = b.sub(logits, b.reduceMax(b.add(b.stopGradient(logits), selfPenalty), [1], true));
  const positives = b.mul(sameLabelMask(anchorLabels, contrastLabels, z.dtype), included);

  const denominator = b.reduceSum(b.exp(b.add(shifted, selfPenalty)), [1], true); // [A, 1], sum over the included
  const logProb = b.sub(shifted, b.log(denominator)); // [A, M]
  const positiveCount = b.reduceSum(positives, [1]); // [A]
  const meanLogProbPos = b.div(b.reduceSum(b.mul(positives, logProb), [1]), b.max(positiveCount, 1)); // [A]

  const hasPositive = b.cast(b.greater(positiveCount, 0.5), z.dtype); // [A]
  const anchorsWithPositive = b.max(b.reduceSum(hasPositive, []), 1);
  const meanOverAnchors = b.div(b.reduceSum(b.mul(hasPositive, meanLogProbPos), []), anchorsWithPositive);
  return b.mul(meanOverAnchors, -(tau / (o.baseTemperature ?? tau)));
}

/** features [N, V, D] (L2-normalised), labels int64 [N] (undefined: SimCLR) -> scalar loss. */
export function supConLoss(features: Value, labels: Value | undefined, o: SupConOptions): Value {
  const n = staticDim(features, 0, 'supConLoss');
  const v = staticDim(features, 1, 'supConLoss');
  const d = staticDim(features, 2, 'supConLoss');
  const viewMajor = b.reshape(b.transpose(features, [1, 0, 2]), [v * n, d]); // [V * N, D]
  return supConViewMajor(viewMajor, v, labels, o);
}

/** SimCLR (NT-Xent): SupCon with every sample its own class. features [N, V, D]. */
export function simclrLoss(features: Value, o: SupConOptions): Value {
  return supConLoss(features, undefined, o);
}
