// Numerical gradient checks through onnxruntime-node (JAX's check_vjp): the analytic VJP from our
// autodiff against central differences of the forward graph, on seeded random inputs.

import assert from 'node:assert/strict';
import * as b from '../../src/onnx/index.ts';
import type { DType, Graph, Value } from '../../src/onnx/index.ts';
import { grad } from '../../src/autodiff/index.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';
import { Rng } from '../../src/data/rng.ts';

/** Seeded uniform [0, 1) numbers from the project's own generator. */
export function seeded(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

export interface CheckInput {
  shape: number[];
  /** Initial values; seeded uniform(-1, 1) when absent. */
  data?: number[];
  /** Not differentiated (integer indices, labels, constants fed at run time). */
  constant?: boolean;
  dtype?: DType;
}

export interface CheckSpec {
  inputs: CheckInput[];
  /** Builds the function under test from graph inputs (same order as `inputs`). */
  f: (...xs: Value[]) => Value;
  dtype?: 'float32' | 'float64';
  eps?: number;
  rtol?: number;
  atol?: number;
  seed?: number;
}

export interface CheckResult {
  /** |analytic - numeric| / max(|analytic|, |numeric|, atol/rtol) of the worst comparison. */
  maxRelError: number;
  /** Op types whose rules the check exercised. */
  ops: Set<string>;
}


interface Built {
  vjp: (xs: number[][], cot: number[]) => Promise<{ y: number[]; grads: number[][] }>;
  forward: (xs: number[][]) => Promise<number[]>;
  outSize: number;
  ops: Set<string>;
}

async function build(spec: CheckSpec): Promise<Built> {
  const dtype = spec.dtype ?? 'float32';
  const g: Graph = new b.Graph();
  const xs = spec.inputs.map((inp, i) => g.input(`x${i}`, inp.dtype ?? dtype, inp.shape));
  const y = spec.f(...xs);
  const forwardOps = new Set(g.nodes.map((n) => n.op));
  const outShape = b.staticShape(y.shape, 'checked output');
  const outSize = b.numel(outShape);
  const cot = g.input('cotangent', y.dtype, outShape);
  const loss = b.reduceSum(b.mul(y, cot), []);
  const wrt = xs.filter((_, i) => !spec.inputs[i]!.constant);
  const grads = grad(loss, wrt);
  const outputs: Record<string, Value> = { y };
  grads.forEach((gv, i) => { outputs[`g${i}`] = gv; });
  const session = await createCpuSession(b.serialize(g, { outputs }), { threads: 1 });
  const fwdSession = await createCpuSession(b.serialize(g, { outputs: { y }, pruneInputs: true }), { threads: 1 });
  const tensor = (i: number, data: number[]): HostTensor => {
    const t = spec.inputs[i]!.dtype ?? dtype;
    return { dtype: t, dims: spec.inputs[i]!.shape, data: b.fromNumbers(t, data) };
  };
  const feedsFor = (values: number[][], names: Set<string> | undefined): Record<string, HostTensor> => {
    const feeds: Record<string, HostTensor> = {};
    values.forEach((v, i) => { if (!names || names.has(`x${i}`)) feeds[`x${i}`] = tensor(i, v); });
    return feeds;
  };
  const fwdNames = new Set(fwdSession.inputNames);
  return {
    outSize,
    ops: forwardOps,
    forward: async (values) => Array.from((await runHost(fwdSession, feedsFor(values, fwdNames))).y!.data, Number),
    vjp: async (values, c) => {
      const feeds = feedsFor(values, undefined);
      feeds.cotangent = { dtype: y.dtype, dims: outShape, data: b.fromNumbers(y.dtype, c) };
      const out = await runHost(session, feeds);
      return { y: Array.from(out.y!.data, Number), grads: grads.map((_, i) => Array.from(out[`g${i}`]!.data, Number)) };
    },
  };
}

function initialValues(spec: CheckSpec, rand: () => number): number[][] {
  return spec.inputs.map((inp) => inp.data ?? Array.from({ length: b.numel(inp.shape) }, () => rand() * 2 - 1));
}

function relError(a: number, n: number, rtol: number, atol: number): number {
  return Math.abs(a - n) / Math.max(Math.abs(a), Math.abs(n), atol / rtol);
}

const dot = (a: readonly number[], c: readonly number[]): number => a.reduce((s, v, i) => s + v * c[i]!, 0);

function defaults(spec: CheckSpec): { eps: number; rtol: number; atol: number } {
  const f64 = spec.dtype === 'float64';
  return { eps: spec.eps ?? (f64 ? 1e-6 : 1e-3), rtol: spec.rtol ?? (f64 ? 1e-6 : 2e-3), atol: spec.atol ?? (f64 ? 1e-8 : 2e-3) };
}

/** Directional check: <t, VJP(c)> against <c, (f(x + eps t) - f(x - eps t)) / 2 eps>, three random pairs. */
export async function checkVjp(spec: CheckSpec): Promise<CheckResult> {
  const { eps, rtol, atol } = defaults(spec);
  const rand = seeded(spec.seed ?? 1234);
  const built = await build(spec);
  const x = initialValues(spec, rand);
  let worst = 0;
  for (let trial = 0; trial < 3; trial++) {
    const c = Array.from({ length: built.outSize }, () => rand() * 2 - 1);
    const t = spec.inputs.map((inp, i) => (inp.constant ? x[i]!.map(() => 0) : x[i]!.map(() => rand() * 2 - 1)));
    const { grads } = await built.vjp(x, c);
    const analytic = t.filter((_, i) => !spec.inputs[i]!.constant).reduce((s, ti, k) => s + dot(ti, grads[k]!), 0);
    const plus = await built.forward(x.map((xi, i) => xi.map((v, j) => v + eps * t[i]![j]!)));
    const minus = await built.forward(x.map((xi, i) => xi.map((v, j) => v - eps * t[i]![j]!)));
    const numeric = dot(plus.map((p, k) => (p - minus[k]!) / (2 * eps)), c);
    worst = Math.max(worst, relError(analytic, numeric, rtol, atol));
  }
  assert.ok(worst <= rtol, `directional check failed: relative error ${worst.toExponential(2)} > ${rtol}`);
  return { maxRelError: worst, ops: built.ops };
}

/** Full Jacobian check on tiny shapes: every row by VJP with a unit cotangent, every column by differences. */
export async function checkJacobian(spec: CheckSpec): Promise<CheckResult> {
  const { eps, rtol, atol } = defaults(spec);
  const rand = seeded(spec.seed ?? 4321);
  const built = await build(spec);
  const x = initialValues(spec, rand);
  const active = spec.inputs.map((inp, i) => ({ inp, i })).filter(({ inp }) => !inp.constant);
  const rows: number[][][] = [];
  for (let k = 0; k < built.outSize; k++) {
    const c = Array.from({ length: built.outSize }, (_, j) => (j === k ? 1 : 0));
    rows.push((await built.vjp(x, c)).grads);
  }
  let worst = 0;
  for (const [a, { i }] of active.entries()) {
    for (let j = 0; j < x[i]!.length; j++) {
      const shifted = (s: number): number[][] => x.map((xi, ii) => (ii === i ? xi.map((v, jj) => (jj === j ? v + s : v)) : xi));
      const plus = await built.forward(shifted(eps));
      const minus = await built.forward(shifted(-eps));
      for (let k = 0; k < built.outSize; k++) {
        const numeric = (plus[k]! - minus[k]!) / (2 * eps);
        worst = Math.max(worst, relError(rows[k]![a]![j]!, numeric, rtol, atol));
      }
    }
  }
  assert.ok(worst <= rtol, `Jacobian check failed: relative error ${worst.toExponential(2)} > ${rtol}`);
  return { maxRelError: worst, ops: built.ops };
}
