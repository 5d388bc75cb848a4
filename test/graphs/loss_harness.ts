// Runs a loss built with the graph builder through onnxruntime-node: its value, metrics, and its gradient
// with respect to one float input (our autodiff), for comparison with the plain-TS references.

import * as b from '../../src/onnx/index.ts';
import type { Value } from '../../src/onnx/index.ts';
import { grad } from '../../src/autodiff/index.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';

export interface LossCase {
  dtype: 'float32' | 'float64';
  /** The differentiated input x. */
  shape: number[];
  data: readonly number[];
  /** int64 labels fed as input `labels`, when given. */
  labels?: readonly number[];
  build: (x: Value, labels: Value | undefined) => { loss: Value; metrics?: Record<string, Value> };
}

export interface LossResult {
  loss: number;
  /** d loss / d x, flat in x's row-major order. */
  grad: number[];
  metrics: Record<string, number>;
}

export async function runLoss(c: LossCase): Promise<LossResult> {
  const g = new b.Graph();
  const x = g.input('x', c.dtype, c.shape);
  const labels = c.labels ? g.input('labels', 'int64', [c.labels.length]) : undefined;
  const { loss, metrics = {} } = c.build(x, labels);
  const [dx] = grad(loss, [x]);
  const session = await createCpuSession(b.serialize(g, { outputs: { loss, dx: dx!, ...metrics } }), { threads: 1 });
  const feeds: Record<string, HostTensor> = { x: { dtype: c.dtype, dims: c.shape, data: b.fromNumbers(c.dtype, c.data) } };
  if (c.labels) feeds.labels = { dtype: 'int64', dims: [c.labels.length], data: b.fromNumbers('int64', c.labels) };
  const out = await runHost(session, feeds);
  const scalar = (name: string): number => Number(out[name]!.data[0]);
  return {
    loss: scalar('loss'),
    grad: Array.from(out.dx!.data, Number),
    metrics: Object.fromEntries(Object.keys(metrics).map((k) => [k, scalar(k)])),
  };
}

/** max_i |a_i - e_i| / max_i |e_i|: the error relative to the scale of the expected tensor. */
export function scaledDiff(actual: readonly number[], expected: readonly number[]): number {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} != ${expected.length}`);
  const scale = expected.reduce((m, e) => Math.max(m, Math.abs(e)), 1e-30);
  return actual.reduce((w, a, i) => Math.max(w, Math.abs(a - expected[i]!)), 0) / scale;
}
