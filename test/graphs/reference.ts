// Independent float64 references of the losses in plain TypeScript (value and analytic gradient),
// written from the papers' formulas, not from our graph code.

export type Matrix = number[][];

const dot = (a: readonly number[], c: readonly number[]): number => a.reduce((s, v, i) => s + v * c[i]!, 0);
const zeros = (rows: number, cols: number): Matrix => Array.from({ length: rows }, () => new Array<number>(cols).fill(0));

export interface LossAndGrad {
  loss: number;
  /** d loss / d input, shaped as the input. */
  grad: Matrix;
}

export interface SupConRefOptions {
  temperature: number;
  baseTemperature: number;
  contrastMode: 'all' | 'one';
}

/**
 * SupCon L_out over z [V * N, D] stacked view-major (row v * N + i), labels per sample (undefined: SimCLR).
 * Anchors: all rows ('all') or rows 0..N-1 ('one'); contrast set: all rows but the anchor itself.
 * L = mean over anchors with |P| > 0 of -(tau / base) / |P(i)| sum_p log softmax_{a != i}(z_i.z_a / tau)[p].
 * dL/ds_ia = -(tau / base) / K * (1[a in P(i)] / |P(i)| - softmax_ia), s_ia = z_i.z_a / tau, K valid anchors.
 */
export function supConRef(z: Matrix, views: number, labels: readonly number[] | undefined, o: SupConRefOptions): LossAndGrad {
  const m = z.length;
  const n = m / views;
  const label = (row: number): number => (labels ? labels[row % n]! : row % n);
  const anchors = o.contrastMode === 'all' ? m : n;
  const scale = o.temperature / o.baseTemperature;
  const dS = zeros(anchors, m);
  let total = 0;
  let valid = 0;
  for (let i = 0; i < anchors; i++) {
    const s = z.map((za) => dot(z[i]!, za) / o.temperature);
    const positives = s.map((_, a) => a !== i && label(a) === label(i));
    const count = positives.filter(Boolean).length;
    if (count === 0) continue;
    valid++;
    const maxS = Math.max(...s.filter((_, a) => a !== i));
    const denom = s.reduce((acc, v, a) => (a === i ? acc : acc + Math.exp(v - maxS)), 0);
    const logDenom = Math.log(denom) + maxS;
    let sum = 0;
    s.forEach((v, a) => { if (positives[a]) sum += v - logDenom; });
    total += -scale * (sum / count);
    s.forEach((v, a) => {
      if (a === i) return;
      dS[i]![a] = -scale * ((positives[a] ? 1 / count : 0) - Math.exp(v - logDenom));
    });
  }
  const k = Math.max(valid, 1);
  // s_ia = z_i.z_a / tau: dz_i += dS_ia z_a / tau, dz_a += dS_ia z_i / tau.
  const grad = zeros(m, z[0]!.length);
  for (let i = 0; i < anchors; i++) {
    for (let a = 0; a < m; a++) {
      const c = dS[i]![a]! / (k * o.temperature);
      if (c === 0) continue;
      z[a]!.forEach((v, d) => { grad[i]![d]! += c * v; });
      z[i]!.forEach((v, d) => { grad[a]![d]! += c * v; });
    }
  }
  return { loss: total / k, grad };
}

/**
 * SupCon whose contrast set also holds memory rows (a queue of earlier projections) with their labels;
 * label -1 marks an empty slot (no contrast at all), -2 a stored SimCLR row (a negative for everyone).
 * Loss only (its gradient by numericGrad). Anchors are the batch rows, 'all' mode.
 */
export function supConMemoryRef(z: Matrix, views: number, labels: readonly number[] | undefined, memory: Matrix, memoryLabels: readonly number[], temperature: number): number {
  const n = z.length / views;
  const label = (row: number): number => (labels ? labels[row % n]! : row % n);
  const contrasts = [...z.map((row, a) => ({ row, label: label(a), self: a })), ...memory.map((row, k) => ({ row, label: memoryLabels[k]!, self: -1 }))]
    .filter((c) => c.label !== -1);
  let total = 0;
  let valid = 0;
  z.forEach((anchor, i) => {
    const others = contrasts.filter((c) => c.self !== i);
    const s = others.map((c) => dot(anchor, c.row) / temperature);
    const positives = others.map((c) => c.label === label(i));
    const count = positives.filter(Boolean).length;
    if (count === 0) return;
    valid++;
    const logDenom = Math.log(s.reduce((acc, v) => acc + Math.exp(v), 0));
    total += -s.reduce((acc, v, a) => (positives[a] ? acc + v - logDenom : acc), 0) / count;
  });
  return total / Math.max(valid, 1);
}

/** Max-margin over all unordered pairs i < j of the rows of z: same label d^2, else max(0, m - d)^2; mean over pairs. */
export function maxMarginRef(z: Matrix, labels: readonly number[], margin: number): LossAndGrad {
  const m = z.length;
  const grad = zeros(m, z[0]!.length);
  let total = 0;
  const pairs = (m * (m - 1)) / 2;
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const diff = z[i]!.map((v, d) => v - z[j]![d]!);
      const dist = Math.sqrt(dot(diff, diff));
      // coefficient c with d(pair loss)/dz_i = c * (z_i - z_j) = -d/dz_j.
      let c: number;
      if (labels[i] === labels[j]) {
        total += dist * dist;
        c = 2;
      } else {
        const h = Math.max(0, margin - dist);
        total += h * h;
        c = h > 0 ? (-2 * h) / dist : 0;
      }
      diff.forEach((v, d) => {
        grad[i]![d]! += (c * v) / pairs;
        grad[j]![d]! -= (c * v) / pairs;
      });
    }
  }
  return { loss: total / pairs, grad };
}

/** Mean softmax cross-entropy of logits [N, K]; gradient (softmax - onehot) / N; accuracy with first-max ties. */
export function crossEntropyRef(logits: Matrix, labels: readonly number[]): LossAndGrad & { accuracy: number } {
  const n = logits.length;
  let total = 0;
  let correct = 0;
  const grad = logits.map((row, i) => {
    const mx = Math.max(...row);
    const lse = Math.log(row.reduce((s, v) => s + Math.exp(v - mx), 0)) + mx;
    total += lse - row[labels[i]!]!;
    if (row.indexOf(mx) === labels[i]) correct++;
    return row.map((v, k) => (Math.exp(v - lse) - (k === labels[i] ? 1 : 0)) / n);
  });
  return { loss: total / n, grad, accuracy: correct / n };
}

/** Central differences of a scalar function of a matrix, to check the references themselves. */
export function numericGrad(f: (z: Matrix) => number, z: Matrix, eps = 1e-6): Matrix {
  return z.map((row, r) =>
    row.map((_, c) => {
      const shifted = (delta: number): Matrix => z.map((rr, i) => rr.map((v, j) => (i === r && j === c ? v + delta : v)));
      return (f(shifted(eps)) - f(shifted(-eps))) / (2 * eps);
    }),
  );
}

export { seeded } from '../autodiff/gradcheck.ts';

/** rows x dim Gaussian-ish rows, L2-normalised. */
export function unitRows(rows: number, dim: number, rand: () => number): Matrix {
  return Array.from({ length: rows }, () => {
    const v = Array.from({ length: dim }, () => rand() * 2 - 1);
    const norm = Math.sqrt(dot(v, v));
    return v.map((x) => x / norm);
  });
}
