// One switch from an execution provider name (`--ep cpu|cuda|webgpu|wasm`) to the session factory the
// trainer, evaluator and server take. Each step graph is the same standard-op ONNX model on every EP;
// only the CPU factory lowers graph models first (cpu_lowering.ts).
//
//   cpu     onnxruntime-node's CPU EP; state stays in host memory (no copies).
//   cuda    onnxruntime-node's CUDA EP (opt-in binaries); outputs come back to the host every run.
//   webgpu  onnxruntime-node's WebGPU EP (Dawn; SwiftShader without a GPU); state stays on the device.
//   wasm    onnxruntime-web's WASM backend in Node; inputs and outputs cross the WASM heap every run.

import * as b from '../onnx/index.ts';
import { assertCudaInstalled, createCudaSession } from './cuda_session.ts';
import { ExecutionProviderError } from './ep_error.ts';
import { type SessionOptions, modelBytes, ort } from './session.ts';
import { type SessionFactory, cpuSessionFactory } from './step_runner.ts';
import { createWasmStepSession } from './wasm_session.ts';
import { createWebGpuSession } from './webgpu_session.ts';

export const EXECUTION_PROVIDERS = ['cpu', 'cuda', 'webgpu', 'wasm'] as const;
export type ExecutionProvider = (typeof EXECUTION_PROVIDERS)[number];

export interface ProviderOptions extends SessionOptions {
  /** WebGPU only: keep `updated.*` state on the device (default true); false copies it through the host each step. */
  keepStateOnDevice?: boolean;
}

export function isExecutionProvider(name: string): name is ExecutionProvider {
  return (EXECUTION_PROVIDERS as readonly string[]).includes(name);
}

/** The `--ep` flag's value, checked (for commander's argument parser). */
export function parseExecutionProvider(name: string): ExecutionProvider {
  if (!isExecutionProvider(name)) throw new Error(`--ep must be one of ${EXECUTION_PROVIDERS.join(', ')}, got '${name}'`);
  return name;
}

/**
 * Sessions on `ep`. Throws ExecutionProviderError at once where the EP cannot exist here (CUDA binaries
 * not installed); a missing WebGPU adapter shows at the first session (see `checkExecutionProvider`).
 */
export function sessionFactory(ep: ExecutionProvider, options: ProviderOptions = {}): SessionFactory {
  const { keepStateOnDevice, ...session } = options;
  switch (ep) {
    case 'cpu':
      return cpuSessionFactory(session);
    case 'cuda':
      assertCudaInstalled();
      return (model) => createCudaSession(modelBytes(model), session);
    case 'webgpu':
      return (model) => createWebGpuSession(modelBytes(model), { ...session, ...(keepStateOnDevice === undefined ? {} : { keepStateOnDevice }) });
    case 'wasm':
      return (model) => createWasmStepSession(modelBytes(model), session.threads ? { threads: session.threads } : {});
  }
}

/** Creates and runs a one-op session on `ep`, so that a missing adapter or library fails before any work. */
export async function checkExecutionProvider(ep: ExecutionProvider, options: ProviderOptions = {}): Promise<void> {
  const g = new b.Graph();
  const x = g.input('x', 'float32', [1]);
  const session = await sessionFactory(ep, options)(b.serialize(g, { outputs: { y: b.add(x, x) } }));
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.of(1), [1]) });
  if (!out.y || out.y.location !== 'cpu' || Number(out.y.data[0]) !== 2) {
    throw new ExecutionProviderError(ep, `${ep}: the probe session returned ${String(out.y?.location)} ${String(out.y?.data)}, expected 2`);
  }
  await session.release?.();
}
