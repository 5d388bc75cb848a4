// onnxruntime-web's WASM backend inside Node: the same kernels the browser runs, used to check that an
// exported model loads there and gives the same numbers as onnxruntime-node, and to train with `--ep wasm`.

import * as ortWeb from 'onnxruntime-web';
import type { HostArray } from '../onnx/index.ts';
import { type HostTensor, ort } from './session.ts';
import type { StepSession } from './step_runner.ts';

export interface WasmSessionOptions {
  /** WASM threads (default 1: deterministic and light beside other work). */
  threads?: number;
}

export async function createWasmSession(model: Uint8Array, options: WasmSessionOptions = {}): Promise<ortWeb.InferenceSession> {
  ortWeb.env.wasm.numThreads = options.threads ?? 1;
  return ortWeb.InferenceSession.create(model, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
}

/** Runs a WASM session on float32/int64 host tensors; returns host tensors by output name. */
export async function runWasm(session: ortWeb.InferenceSession, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const ortFeeds: Record<string, ortWeb.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) {
    if (v.data instanceof Float32Array) ortFeeds[k] = new ortWeb.Tensor('float32', v.data, [...v.dims]);
    else if (v.data instanceof BigInt64Array) ortFeeds[k] = new ortWeb.Tensor('int64', v.data, [...v.dims]);
    else throw new Error(`runWasm: feed ${k} has unsupported dtype ${v.dtype}`);
  }
  const out = await session.run(ortFeeds);
  const result: Record<string, HostTensor> = {};
  for (const [k, t] of Object.entries(out)) {
    if (t.type !== 'float32' && t.type !== 'int64') throw new Error(`runWasm: output ${k} has unsupported type ${t.type}`);
    result[k] = { dtype: t.type, dims: [...t.dims], data: t.data as HostArray };
  }
  return result;
}

/**
 * onnxruntime-web's WASM backend behind the StepRunner's session interface. Its Tensor class is not
 * onnxruntime-node's (each package bundles its own onnxruntime-common), so tensors are re-wrapped both
 * ways (the typed arrays are shared, not copied). Every run copies all inputs into the WASM heap and all
 * outputs out of it: WASM has no output location that stays in its heap. `threads` is process-wide and
 * fixed by the first WASM session.
 */
export async function createWasmStepSession(model: Uint8Array, options: WasmSessionOptions = {}): Promise<StepSession> {
  const session = await createWasmSession(model, options);
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds) {
      const webFeeds: Record<string, ortWeb.Tensor> = {};
      for (const [k, t] of Object.entries(feeds)) webFeeds[k] = new ortWeb.Tensor(t.type, t.data as HostArray, t.dims);
      const out = await session.run(webFeeds);
      const result: Record<string, ort.Tensor> = {};
      for (const [k, t] of Object.entries(out)) result[k] = new ort.Tensor(t.type, t.data as HostArray, t.dims);
      return result;
    },
    release: () => session.release(),
  };
}
