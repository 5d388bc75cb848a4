// Exact t-SNE (van der Maaten & Hinton 2008), seeded, pure TypeScript.
//
// O(n^2) time per iteration and memory: meant for the report's <= 2000-point maps (at most two
// n x n float64 matrices, 64 MB, and ~10 s of one core at n = 2000), not for large data.
// Optimisation follows the reference implementation: early exaggeration 12 with momentum 0.5, then
// momentum 0.8, per-coordinate gains (delta-bar-delta); the learning rate is n / exaggeration
// (Belkina et al. 2019), at least 50.

import { Rng } from '../data/rng.ts';

export interface TsneOptions {
  /** Effective number of neighbours (default 30, clamped to (n - 1) / 3). */
  perplexity?: number;
  /** Gradient steps (default 750; the first quarter, at most 250, are exaggerated). */
  iterations?: number;
  seed?: number;
  earlyExaggeration?: number;
  learningRate?: number;
}

/** `vectors` is [n, dim] row-major; returns [n, 2] row-major map coordinates. */
export function tsne(vectors: Float32Array | Float64Array, n: number, dim: number, opts: TsneOptions = {}): Float32Array {
  if (vectors.length !== n * dim) throw new RangeError(`tsne: ${vectors.length} values is not ${n} x ${dim}`);
  if (n < 4) throw new RangeError(`tsne needs at least 4 points, got ${n}`);
  const perplexity = Math.min(opts.perplexity ?? 30, (n - 1) / 3);
  const iterations = opts.iterations ?? 750;
  const exaggeration = opts.earlyExaggeration ?? 12;
  const exaggeratedSteps = Math.min(250, Math.floor(iterations / 4));
  const learningRate = opts.learningRate ?? Math.max(n / exaggeration, 50);

  const p = jointProbabilities(squaredDistances(vectors, n, dim), n, perplexity);
  const rng = new Rng(opts.seed ?? 0);
  const y = new Float64Array(n * 2).map(() => 1e-4 * rng.normal());
  const update = new Float64Array(n * 2);
  const gains = new Float64Array(n * 2).fill(1);
  const grad = new Float64Array(n * 2);

  for (let it = 0; it < iterations; it++) {
    const exag = it < exaggeratedSteps ? exaggeration : 1;
    const momentum = it < exaggeratedSteps ? 0.5 : 0.8;
    const z = kernelSum(y, n);
    gradient(y, p, n, exag, 1 / z, grad);
    for (let k = 0; k < 2 * n; k++) {
      const g = grad[k] ?? 0;
      const u = update[k] ?? 0;
      // Grow the step while the descent direction holds (gradient opposite the last update), shrink on a flip.
      const gain = Math.max(0.01, Math.sign(g) !== Math.sign(u) ? (gains[k] ?? 1) + 0.2 : (gains[k] ?? 1) * 0.8);
      gains[k] = gain;
      update[k] = momentum * u - learningRate * gain * g;
      y[k] = (y[k] ?? 0) + (update[k] ?? 0);
    }
    centre(y, n);
  }
  return Float32Array.from(y);
}

/** Z = sum_{i != j} 1 / (1 + |y_i - y_j|^2), the Student-t normaliser of Q. */
function kernelSum(y: Float64Array, n: number): number {
  let z = 0;
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i] ?? 0;
    const yi = y[2 * i + 1] ?? 0;
    for (let j = i + 1; j < n; j++) {
      const dx = xi - (y[2 * j] ?? 0);
      const dy = yi - (y[2 * j + 1] ?? 0);
      z += 2 / (1 + dx * dx + dy * dy);
    }
  }
  return z;
}

/**
 * dC/dy_i = 4 sum_j (exag * P_ij - Q_ij) num_ij (y_i - y_j), num_ij = 1 / (1 + |y_i - y_j|^2),
 * Q_ij = num_ij / Z. The kernel is recomputed rather than stored (an n x n matrix less) and each
 * pair is visited once, its force added to i and subtracted from j.
 */
function gradient(y: Float64Array, p: Float64Array, n: number, exag: number, invZ: number, grad: Float64Array): void {
  grad.fill(0);
  for (let i = 0; i < n; i++) {
    const xi = y[2 * i] ?? 0;
    const yi = y[2 * i + 1] ?? 0;
    let gx = 0;
    let gy = 0;
    for (let j = i + 1; j < n; j++) {
      const dx = xi - (y[2 * j] ?? 0);
      const dy = yi - (y[2 * j + 1] ?? 0);
      const q = 1 / (1 + dx * dx + dy * dy);
      const m = 4 * (exag * (p[i * n + j] ?? 0) - q * invZ) * q;
      gx += m * dx;
      gy += m * dy;
      grad[2 * j] = (grad[2 * j] ?? 0) - m * dx;
      grad[2 * j + 1] = (grad[2 * j + 1] ?? 0) - m * dy;
    }
    grad[2 * i] = (grad[2 * i] ?? 0) + gx;
    grad[2 * i + 1] = (grad[2 * i + 1] ?? 0) + gy;
  }
}

function squaredDistances(x: Float32Array | Float64Array, n: number, dim: number): Float64Array {
  const d = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      let s = 0;
      for (let k = 0; k < dim; k++) {
        const t = (x[i * dim + k] ?? 0) - (x[j * dim + k] ?? 0);
        s += t * t;
      }
      d[i * n + j] = s;
      d[j * n + i] = s;
    }
  }
  return d;
}

/**
 * P_ij = (P_j|i + P_i|j) / 2n, with each row's Gaussian bandwidth found by bisection so that the
 * conditional distribution's entropy is log(perplexity) nats.
 */
function jointProbabilities(d: Float64Array, n: number, perplexity: number): Float64Array {
  const target = Math.log(perplexity);
  const cond = new Float64Array(n * n);
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // Shift by the nearest distance: P_j|i is unchanged and exp() cannot underflow to all zeros.
    let dmin = Infinity;
    for (let j = 0; j < n; j++) if (j !== i) dmin = Math.min(dmin, d[i * n + j] ?? 0);
    let beta = 1;
    let lo = 0;
    let hi = Infinity;
    for (let step = 0; step < 100; step++) {
      let sum = 0;
      let weighted = 0;
      for (let j = 0; j < n; j++) {
        const dij = (d[i * n + j] ?? 0) - dmin;
        const e = j === i ? 0 : Math.exp(-beta * dij);
        row[j] = e;
        sum += e;
        weighted += e * dij;
      }
      const entropy = Math.log(sum) + (beta * weighted) / sum;
      if (Math.abs(entropy - target) < 1e-5) break;
      if (entropy > target) {
        lo = beta; // too flat: narrow the kernel
        beta = hi === Infinity ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum += row[j] ?? 0;
    for (let j = 0; j < n; j++) cond[i * n + j] = (row[j] ?? 0) / sum;
  }
  // Symmetrise in place (upper and lower triangle at once): no third n x n matrix.
  for (let i = 0; i < n; i++) {
    cond[i * n + i] = 1e-12;
    for (let j = i + 1; j < n; j++) {
      const v = Math.max(((cond[i * n + j] ?? 0) + (cond[j * n + i] ?? 0)) / (2 * n), 1e-12);
      cond[i * n + j] = v;
      cond[j * n + i] = v;
    }
  }
  return cond;
}

function centre(y: Float64Array, n: number): void {
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += (y[2 * i] ?? 0) / n;
    my += (y[2 * i + 1] ?? 0) / n;
  }
  for (let i = 0; i < n; i++) {
    y[2 * i] = (y[2 * i] ?? 0) - mx;
    y[2 * i + 1] = (y[2 * i + 1] ?? 0) - my;
  }
}
