// Top principal components by power iteration with deflation, pure TypeScript.
//
// The covariance C = Xc^T Xc / (n - 1) is never formed: C v = Xc^T (Xc v) / (n - 1) costs O(n d) per
// iteration, so a [2000, 2048] embedding set takes milliseconds per iteration and no d x d matrix.
// After each component the centred data is deflated (Xc <- Xc - (Xc v) v^T), so the next power
// iteration converges to the next eigenvector.

export interface PcaResult {
  /** [n, k] row-major projections of the centred data onto the components. */
  coords: Float32Array;
  /** k unit vectors of length d, largest eigenvalue first. */
  components: Float64Array[];
  /** Variance along each component (eigenvalues of C). */
  variances: number[];
  /** Total variance (trace of C), so variances[i] / totalVariance is the explained fraction. */
  totalVariance: number;
}

export interface PcaOptions {
  /** Number of components (default 2). */
  k?: number;
  maxIterations?: number;
  /** Stop when 1 - |<v_t, v_{t-1}>| falls below this. */
  tolerance?: number;
}

/** `vectors` is [n, dim] row-major. Deterministic: the start vector and the signs are fixed. */
export function pca(vectors: Float32Array | Float64Array, n: number, dim: number, opts: PcaOptions = {}): PcaResult {
  const k = opts.k ?? 2;
  const maxIterations = opts.maxIterations ?? 1000;
  const tolerance = opts.tolerance ?? 1e-12;
  if (vectors.length !== n * dim) throw new RangeError(`pca: ${vectors.length} values is not ${n} x ${dim}`);
  if (n < 2) throw new RangeError(`pca needs at least 2 points, got ${n}`);

  const x = centred(vectors, n, dim);
  let totalVariance = 0;
  for (const v of x) totalVariance += v * v;
  totalVariance /= n - 1;

  const components: Float64Array[] = [];
  const variances: number[] = [];
  const xv = new Float64Array(n);
  for (let c = 0; c < Math.min(k, dim); c++) {
    // A start vector with every coordinate non-zero and distinct cannot be orthogonal to a generic
    // eigenvector, unlike a basis vector.
    let v: Float64Array = new Float64Array(dim).map((_, j) => 1 + ((j * 0.618034) % 1));
    normalise(v);
    let lambda = 0;
    for (let it = 0; it < maxIterations; it++) {
      const next = covTimes(x, n, dim, v, xv);
      lambda = norm(next);
      if (lambda === 0) break; // remaining data is all zeros: any unit vector will do
      for (let j = 0; j < dim; j++) next[j] = (next[j] ?? 0) / lambda;
      const converged = 1 - Math.abs(dot(next, v)) < tolerance;
      v = next;
      if (converged) break;
    }
    fixSign(v);
    components.push(v);
    variances.push(lambda);
    deflate(x, n, dim, v, xv);
  }
  return { coords: project(vectors, n, dim, components), components, variances, totalVariance };
}

function centred(vectors: Float32Array | Float64Array, n: number, dim: number): Float64Array {
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) mean[j] = (mean[j] ?? 0) + (vectors[i * dim + j] ?? 0) / n;
  const x = new Float64Array(n * dim);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) x[i * dim + j] = (vectors[i * dim + j] ?? 0) - (mean[j] ?? 0);
  return x;
}

/** C v = Xc^T (Xc v) / (n - 1); `xv` is scratch of length n. */
function covTimes(x: Float64Array, n: number, dim: number, v: Float64Array, xv: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (x[i * dim + j] ?? 0) * (v[j] ?? 0);
    xv[i] = s;
  }
  const out = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const s = (xv[i] ?? 0) / (n - 1);
    for (let j = 0; j < dim; j++) out[j] = (out[j] ?? 0) + s * (x[i * dim + j] ?? 0);
  }
  return out;
}

/** Xc <- Xc - (Xc v) v^T: removes the found direction from every row. */
function deflate(x: Float64Array, n: number, dim: number, v: Float64Array, xv: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (x[i * dim + j] ?? 0) * (v[j] ?? 0);
    xv[i] = s;
    for (let j = 0; j < dim; j++) x[i * dim + j] = (x[i * dim + j] ?? 0) - s * (v[j] ?? 0);
  }
}

/** Projections of the centred input (not the deflated copy) onto each component. */
function project(vectors: Float32Array | Float64Array, n: number, dim: number, components: Float64Array[]): Float32Array {
  const k = components.length;
  const x = centred(vectors, n, dim);
  const out = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      const v = components[c] ?? new Float64Array(dim);
      let s = 0;
      for (let j = 0; j < dim; j++) s += (x[i * dim + j] ?? 0) * (v[j] ?? 0);
      out[i * k + c] = s;
    }
  }
  return out;
}

/** Eigenvectors have no sign; make the largest-magnitude coordinate positive so plots are stable. */
function fixSign(v: Float64Array): void {
  let best = 0;
  for (const a of v) if (Math.abs(a) > Math.abs(best)) best = a;
  if (best < 0) for (let j = 0; j < v.length; j++) v[j] = -(v[j] ?? 0);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += (a[j] ?? 0) * (b[j] ?? 0);
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function normalise(a: Float64Array): void {
  const l = norm(a);
  for (let j = 0; j < a.length; j++) a[j] = (a[j] ?? 0) / l;
}
