// Evaluation metrics on the host: weighted k-nearest-neighbour accuracy (cosine
// similarity, votes weighted by exp(sim / 0.07), as in the instance-discrimination literature), and
// accuracy of a linear classifier applied on the host.

export interface KnnOptions {
  k?: number;
  temperature?: number;
}

/**
 * Accuracy of kNN classification from `sims` [q, b], the cosine similarity of each query to each bank
 * row (computed on the execution provider: a MatMul, not a host loop).
 */
export function knnAccuracy(sims: Float32Array, bankLabels: ArrayLike<number>, queryLabels: ArrayLike<number>, classes: number, options: KnnOptions = {}): number {
  const k = options.k ?? 20;
  const t = options.temperature ?? 0.07;
  const nb = bankLabels.length;
  const nq = queryLabels.length;
  if (sims.length !== nq * nb) throw new RangeError(`knnAccuracy: ${sims.length} similarities for ${nq} queries x ${nb} bank rows`);
  let correct = 0;
  for (let q = 0; q < nq; q++) {
    const row = sims.subarray(q * nb, (q + 1) * nb);
    const votes = new Float64Array(classes);
    for (const i of topK(row, Math.min(k, nb))) votes[Number(bankLabels[i])]! += Math.exp(row[i]! / t);
    if (argmax(votes) === Number(queryLabels[q])) correct++;
  }
  return nq === 0 ? 0 : correct / nq;
}

function topK(values: Float32Array, k: number): number[] {
  const best: number[] = [];
  for (let i = 0; i < values.length; i++) {
    if (best.length < k) {
      best.push(i);
      best.sort((a, b) => values[b]! - values[a]!);
    } else if (values[i]! > values[best[k - 1]!]!) {
      best[k - 1] = i;
      for (let j = k - 1; j > 0 && values[best[j]!]! > values[best[j - 1]!]!; j--) [best[j], best[j - 1]] = [best[j - 1]!, best[j]!];
    }
  }
  return best;
}

export function argmax(values: ArrayLike<number>, offset = 0, length = values.length - offset): number {
  let best = 0;
  for (let i = 1; i < length; i++) if (values[offset + i]! > values[offset + best]!) best = i;
  return best;
}

/** Row-wise argmax of logits [n, classes]. */
export function predictions(logits: ArrayLike<number>, classes: number): Int32Array {
  const n = logits.length / classes;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = argmax(logits, i * classes, classes);
  return out;
}

export function accuracy(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < predicted.length; i++) if (Number(predicted[i]) === Number(labels[i])) correct++;
  return predicted.length === 0 ? 0 : correct / predicted.length;
}

/** Accuracy of a linear classifier (weight [classes, dim], bias [classes]) on feature rows [n, dim]. */
export function linearAccuracy(weight: Float32Array, bias: Float32Array, features: Float32Array, labels: ArrayLike<number>): number {
  const classes = bias.length;
  const dim = weight.length / classes;
  const n = labels.length;
  const logits = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < classes; c++) {
      let s = bias[c]!;
      for (let j = 0; j < dim; j++) s += features[i * dim + j]! * weight[c * dim + j]!;
      logits[i * classes + c] = s;
    }
  }
  return accuracy(predictions(logits, classes), labels);
}

/** Confusion matrix [truth][predicted]. */
export function confusionMatrix(predicted: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number[][] {
  const m = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < predicted.length; i++) m[Number(labels[i])]![Number(predicted[i])]!++;
  return m;
}
