// onnxruntime-web sessions for the page's trainer: the backend chosen once per worker (WebGPU where the
// browser has an adapter, on a device that reports its errors here; WASM otherwise, multi-threaded
// where the page is cross-origin isolated), models lowered for it, and sessions that keep a step graph's
// `updated.*` outputs on the GPU between steps.

import * as ort from 'onnxruntime-web';
import { UPDATED_PREFIX } from '../../graphs/step.ts';
import { decodeModel } from '../../src/onnx/decode.ts';
import * as b from '../../src/onnx/index.ts';
import type { Graph, ModelOptions } from '../../src/onnx/index.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import type { Backend, BackendChoice } from './job.ts';
import { splitWideConcats } from './webgpu_lowering.ts';

export { ort };

// The few WebGPU types used here (TypeScript's DOM library has none).
interface GpuDevice {
  readonly lost: Promise<{ message: string }>;
  addEventListener(type: 'uncapturederror', listener: (e: { error: { message: string } }) => void): void;
}
interface GpuAdapter {
  readonly limits: Record<string, number>;
  readonly features: unknown;
  readonly info?: unknown;
  requestDevice(descriptor?: { requiredLimits?: Record<string, number> }): Promise<GpuDevice>;
}

export interface PickedBackend {
  backend: Backend;
  /** WASM threads (also used by WebGPU for the ops it runs on the CPU). */
  threads: number;
  /** Why the backend is not the one asked for. */
  note?: string;
  /** WebGPU: the most inputs one Concat may bind (see webgpu_lowering.ts). */
  maxConcatInputs?: number;
}

/** Errors the WebGPU device reported (validation, out of memory, loss); a step checks them when it ends. */
const gpuErrors: string[] = [];

/** Throws the first error the WebGPU device reported since the last call. */
export function throwIfGpuFailed(): void {
  const first = gpuErrors[0];
  if (first === undefined) return;
  gpuErrors.length = 0;
  throw new Error(`WebGPU: ${first}`);
}

/**
 * Hands onnxruntime-web the adapter, wrapped so that the device it makes (at its first WebGPU session)
 * has all the storage buffers per shader stage the adapter offers (ORT leaves the default 8; a Concat binds
 * one per input) and reports its errors here. onnxruntime-web 1.30 (JSEP) ignores `env.webgpu.device`
 * and always asks the adapter for a device. Returns that limit.
 */
function useAdapter(adapter: GpuAdapter): number {
  const buffers = adapter.limits['maxStorageBuffersPerShaderStage'] ?? 8;
  ort.env.webgpu.adapter = {
    limits: adapter.limits,
    features: adapter.features,
    info: adapter.info,
    requestDevice: async (descriptor: { requiredLimits?: Record<string, number> } = {}) => {
      const device = await adapter.requestDevice({ ...descriptor, requiredLimits: { ...descriptor.requiredLimits, maxStorageBuffersPerShaderStage: buffers } });
      device.addEventListener('uncapturederror', (e) => gpuErrors.push(e.error.message.split('\n')[0]!));
      void device.lost.then((info) => gpuErrors.push(`the device was lost (${info.message})`));
      return device;
    },
  };
  return buffers;
}

// onnxruntime-web takes its adapter (and WASM threads) once, at its first session.
let storageBuffers: number | undefined;

/** WebGPU when asked for (or 'auto') and an adapter exists; WASM otherwise, saying why. */
export async function pickBackend(choice: BackendChoice): Promise<PickedBackend> {
  // Threads need SharedArrayBuffer, which browsers give only to cross-origin isolated pages (the demo
  // server sends COOP/COEP); a Web Worker inherits its page's isolation.
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  const threads = isolated ? Math.max(1, Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1)) : 1;
  ort.env.wasm.numThreads = threads;
  if (choice === 'wasm') return { backend: 'wasm', threads };
  const gpu = (globalThis.navigator as (Navigator & { gpu?: { requestAdapter(): Promise<GpuAdapter | null> } }) | undefined)?.gpu;
  let reason = 'this browser has no WebGPU (navigator.gpu)';
  if (gpu) {
    const adapter = await gpu.requestAdapter().catch(() => null);
    reason = 'no WebGPU adapter was found';
    if (adapter) {
      storageBuffers ??= useAdapter(adapter);
      return { backend: 'webgpu', threads, maxConcatInputs: storageBuffers - 1 }; // the output takes one buffer
    }
  }
  return { backend: 'wasm', threads, note: `${reason}: training on WASM (${threads} thread${threads === 1 ? '' : 's'}) instead` };
}

/** Model bytes for the picked backend: on WebGPU with its lowering (webgpu_lowering.ts). */
export function modelFor(graph: Graph, options: ModelOptions, target: PickedBackend): Uint8Array {
  if (target.maxConcatInputs === undefined) return b.serialize(graph, options);
  const lowered = splitWideConcats(graph, options.outputs, target.maxConcatInputs);
  const byName = new Map(lowered.graph.inputs.map((v) => [v.name, v]));
  const freeze = options.freeze && new Map([...options.freeze].map(([v, data]) => [byName.get(v.name)!, data]));
  return b.serialize(lowered.graph, { ...options, outputs: lowered.outputs, ...(freeze ? { freeze } : {}) });
}

/** A session on `backend`; on WebGPU, `updated.*` outputs come back as GPU tensors (fed back as inputs). */
export function createSession(model: Uint8Array, backend: Backend): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders: [backend], graphOptimizationLevel: 'all' };
  if (backend === 'webgpu') {
    const locations: Record<string, ort.Tensor.DataLocation> = {};
    for (const { name } of decodeModel(model).outputs) locations[name] = name.startsWith(UPDATED_PREFIX) ? 'gpu-buffer' : 'cpu';
    options.preferredOutputLocation = locations;
  }
  return ort.InferenceSession.create(model, options);
}

export function toWeb(t: HostTensor): ort.Tensor {
  if (t.data instanceof Float32Array) return new ort.Tensor('float32', t.data, [...t.dims]);
  if (t.data instanceof BigInt64Array) return new ort.Tensor('int64', t.data, [...t.dims]);
  throw new Error(`the page's trainer feeds float32 and int64 tensors only, got ${t.dtype}`);
}

/** Host data of a tensor: its own array, or a download from the GPU. */
export async function hostData(t: ort.Tensor): Promise<Float32Array> {
  const data = t.location === 'gpu-buffer' ? await t.getData() : t.data;
  if (!(data instanceof Float32Array)) throw new Error(`expected a float32 tensor, got ${t.type}`);
  return data;
}
