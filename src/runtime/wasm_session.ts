// onnxruntime-web's WASM backend inside Node: the same kernels the browser runs, used to check that an
// exported model loads there and gives the same numbers as onnxruntime-node.

import * as ortWeb from 'onnxruntime-web';
import type { HostArray } from '../onnx/index.ts';
import type { HostTensor } from './session.ts';

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
