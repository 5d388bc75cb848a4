// Runs a function and its gradients through onnxruntime-node and returns plain numbers, for tests that
// assert exact gradient values (the driver's bookkeeping, tie rules, symbolic shapes).

import * as b from '../../src/onnx/index.ts';
import type { DType, Shape, Value } from '../../src/onnx/index.ts';
import { grad } from '../../src/autodiff/index.ts';
import { createCpuSession, runHost, type HostTensor } from '../../src/runtime/session.ts';

export interface GradInput {
  /** May hold symbolic dims; `run` is then given concrete dims. */
  shape: Shape;
  dtype?: DType;
  /** Not differentiated (indices, conditions). */
  constant?: boolean;
}

export interface Fed {
  dims: readonly number[];
  data: readonly number[];
}

export interface GradRun {
  loss: number[];
  /** d loss / d input, one per non-constant input, flattened. */
  grads: number[][];
}

/**
 * Builds `f` on graph inputs and differentiates `loss = sum(f(...))` (f may return the scalar loss itself)
 * with respect to every non-constant input; `run` evaluates both for concrete inputs.
 */
export async function gradFunction(inputs: GradInput[], f: (...xs: Value[]) => Value): Promise<(fed: Fed[]) => Promise<GradRun>> {
  const g = new b.Graph();
  const xs = inputs.map((inp, i) => g.input(`x${i}`, inp.dtype ?? 'float64', inp.shape));
  const y = f(...xs);
  const loss = y.rank === 0 ? y : b.reduceSum(y, []);
  const grads = grad(loss, xs.filter((_, i) => !inputs[i]!.constant));
  const outputs: Record<string, Value> = { loss };
  grads.forEach((gv, i) => { outputs[`g${i}`] = gv; });
  const session = await createCpuSession(b.serialize(g, { outputs }), { threads: 1 });
  return async (fed) => {
    const feeds: Record<string, HostTensor> = {};
    fed.forEach((t, i) => {
      const dtype = inputs[i]!.dtype ?? 'float64';
      feeds[`x${i}`] = { dtype, dims: t.dims, data: b.fromNumbers(dtype, t.data) };
    });
    const out = await runHost(session, feeds);
    return {
      loss: Array.from(out.loss!.data, Number),
      grads: grads.map((_, i) => Array.from(out[`g${i}`]!.data, Number)),
    };
  };
}

/** Asserts two number arrays agree elementwise within `tol` (absolute), naming the first mismatch. */
export function assertClose(actual: readonly number[], expected: readonly number[], tol = 1e-9, what = 'values'): void {
  if (actual.length !== expected.length) throw new Error(`${what}: length ${actual.length} != ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol * Math.max(1, Math.abs(e)))) throw new Error(`${what}[${i}]: ${a} != ${e}`);
  });
}
