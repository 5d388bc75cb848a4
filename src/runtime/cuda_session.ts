// The CUDA execution provider of onnxruntime-node. Its CUDA binaries are an opt-in download
// (`npm run install-cuda`), so their presence is checked before any session is created, and a missing
// piece is named in one line instead of surfacing as a dlopen stack trace.
//
// onnxruntime-node has no CUDA-resident output location (preferredOutputLocation 'gpu-buffer' is
// WebGPU's) and no IO binding in JS: under CUDA every run copies all outputs, the updated parameters and
// optimizer state included, to the host, and the next run copies them back. Larger batches amortise it.

import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ExecutionProviderError, messageOf } from './ep_error.ts';
import { type SessionOptions, ort } from './session.ts';

const PROVIDER_LIBRARY = 'libonnxruntime_providers_cuda.so';
const HOW = 'The CUDA EP needs Linux x64, an NVIDIA driver, CUDA 12 and cuDNN 9; get its binaries with `npm run install-cuda`.';

/** onnxruntime-node's native folders: node_modules/onnxruntime-node/bin/napi-v<N>/<platform>/<arch>. */
export function ortNativeDirs(): string[] {
  const bin = join(dirname(createRequire(import.meta.url).resolve('onnxruntime-node')), '..', 'bin');
  let napi: string[];
  try {
    napi = readdirSync(bin).filter((d) => d.startsWith('napi-v'));
  } catch {
    return [];
  }
  return napi.map((d) => join(bin, d, process.platform, process.arch));
}

/** The CUDA provider library of onnxruntime-node, or undefined where it is not installed. */
export function cudaProviderLibrary(): string | undefined {
  for (const dir of ortNativeDirs()) {
    try {
      if (readdirSync(dir).includes(PROVIDER_LIBRARY)) return join(dir, PROVIDER_LIBRARY);
    } catch {
      // no such platform folder
    }
  }
  return undefined;
}

/** Throws ExecutionProviderError unless the CUDA provider binaries are installed. */
export function assertCudaInstalled(): void {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new ExecutionProviderError('cuda', `--ep cuda: onnxruntime-node ships CUDA binaries for Linux x64 only, this is ${process.platform} ${process.arch}. ${HOW}`);
  }
  if (!cudaProviderLibrary()) {
    const where = ortNativeDirs()[0] ?? 'node_modules/onnxruntime-node/bin/napi-v*/linux/x64';
    throw new ExecutionProviderError('cuda', `--ep cuda: ${PROVIDER_LIBRARY} is not installed in ${where}. ${HOW}`);
  }
}

export async function createCudaSession(model: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  assertCudaInstalled();
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: ['cuda'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.threads ?? 0, // for nodes that fall back to the CPU EP
      interOpNumThreads: 1,
      enableProfiling: options.profile ?? false,
      ...(options.profilePrefix ? { profileFilePrefix: options.profilePrefix } : {}),
    });
  } catch (err) {
    // Typically libcudart.so.12 / libcudnn.so.9 missing from the loader path, or no usable GPU.
    throw new ExecutionProviderError('cuda', `--ep cuda: cannot create a CUDA session: ${messageOf(err)}. ${HOW}`);
  }
}
