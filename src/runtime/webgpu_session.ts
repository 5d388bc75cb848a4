// The WebGPU execution provider of onnxruntime-node (Dawn; on a machine without a GPU, SwiftShader's
// CPU Vulkan), with the step's parameters and optimizer state kept on the device between steps.
//
// What onnxruntime-node 1.30 offers, checked on SwiftShader:
// - `preferredOutputLocation` takes a per-output map: `updated.*` outputs come back as tensors with
//   location 'gpu-buffer', and such tensors are accepted as inputs of the next run (of any WebGPU
//   session in the process: they share one device). Loss and metrics come back on the host.
// - There is no IO binding in JS, no way to make a GPU tensor from host data in Node (Tensor.fromGpuBuffer
//   wants a GPUBuffer, which Node does not have), and a gpu-buffer tensor's getData() is "not
//   implemented" in the binding: it throws a C++ exception that aborts the process. So state moves
//   through tiny Identity sessions: host inputs -> 'gpu-buffer' outputs (upload, once per runner) and
//   gpu-buffer inputs -> 'cpu' outputs (download, when a checkpoint is written).
// - Ops without a WebGPU kernel run on the CPU EP silently (a warning on stderr): placement.ts lists them.

import { UPDATED_PREFIX } from '../../graphs/step.ts';
import * as b from '../onnx/index.ts';
import type { Value } from '../onnx/index.ts';
import { decodeModel } from '../onnx/decode.ts';
import { ExecutionProviderError, messageOf } from './ep_error.ts';
import { type SessionOptions, dtypeOf, ort } from './session.ts';
import type { StepSession } from './step_runner.ts';
import { SWIFTSHADER_ICD, ensureVulkanLoader } from './vulkan_loader.ts';

export interface WebGpuOptions extends SessionOptions {
  /** Keep `updated.*` outputs on the device (default true); false brings them to the host every step. */
  keepStateOnDevice?: boolean;
}

type Location = 'cpu' | 'gpu-buffer';

async function create(model: Uint8Array, options: WebGpuOptions, outputs: Location | Record<string, Location>): Promise<ort.InferenceSession> {
  const loader = ensureVulkanLoader();
  try {
    return await ort.InferenceSession.create(model, {
      executionProviders: ['webgpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: options.threads ?? 0, // for the nodes that fall back to the CPU EP
      interOpNumThreads: 1,
      preferredOutputLocation: outputs,
      enableProfiling: options.profile ?? false,
      ...(options.profilePrefix ? { profileFilePrefix: options.profilePrefix } : {}),
    });
  } catch (err) {
    const message = messageOf(err);
    if (!/adapter/i.test(message)) throw new ExecutionProviderError('webgpu', `WebGPU: cannot create the session: ${message}`);
    const icd = process.env.VK_ICD_FILENAMES;
    throw new ExecutionProviderError('webgpu', [
      `WebGPU: no adapter found (${icd ? `VK_ICD_FILENAMES=${icd}` : 'VK_ICD_FILENAMES is not set'}; Vulkan loader ${loader ?? 'libvulkan.so.1 not found'}).`,
      `Without a GPU, use SwiftShader's software Vulkan from Debian's chromium package: VK_ICD_FILENAMES=${SWIFTSHADER_ICD};`,
      `with a GPU, install its Vulkan driver. (${/Failed to get a WebGPU adapter[^\n]*/.exec(message)?.[0] ?? message})`,
    ].join(' '));
  }
}

/** A model that copies each tensor of `like` to an output `out<i>` (the upload / download sessions). */
function identityModel(like: readonly ort.Tensor[]): Uint8Array {
  const g = new b.Graph();
  const outputs: Record<string, Value> = {};
  like.forEach((t, i) => { outputs[`out${i}`] = b.identity(g.input(`in${i}`, dtypeOf(t.type), t.dims)); });
  return b.serialize(g, { outputs });
}

const signature = (ts: readonly ort.Tensor[]): string => JSON.stringify(ts.map((t) => [t.type, t.dims]));

export class WebGpuStepSession implements StepSession {
  private readonly transfers = new Map<string, ort.InferenceSession>();

  constructor(private readonly session: ort.InferenceSession, private readonly options: WebGpuOptions) {}

  get inputNames(): readonly string[] { return this.session.inputNames; }
  get outputNames(): readonly string[] { return this.session.outputNames; }

  async run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
    try {
      return await this.session.run(feeds);
    } catch (err) {
      throw new ExecutionProviderError('webgpu', `WebGPU: the step failed: ${messageOf(err)}`);
    }
  }

  /** Device copies of host tensors (once per runner); host tensors unchanged when state stays on the host. */
  async upload(tensors: ReadonlyMap<string, ort.Tensor>): Promise<Map<string, ort.Tensor>> {
    if (this.options.keepStateOnDevice === false) return new Map(tensors);
    return this.transfer(tensors, 'gpu-buffer');
  }

  /** Host copies of gpu-buffer tensors (getData() would abort the process, see above). */
  async download(tensors: ReadonlyMap<string, ort.Tensor>): Promise<Map<string, ort.Tensor>> {
    return this.transfer(tensors, 'cpu');
  }

  /** Writes ORT's profile (sessions created with `profile: true`); placement.ts reads it. */
  endProfiling(): void {
    this.session.endProfiling();
  }

  async release(): Promise<void> {
    for (const s of this.transfers.values()) await s.release();
    this.transfers.clear();
    await this.session.release();
  }

  private async transfer(tensors: ReadonlyMap<string, ort.Tensor>, to: Location): Promise<Map<string, ort.Tensor>> {
    const entries = [...tensors];
    if (entries.length === 0) return new Map();
    const like = entries.map(([, t]) => t);
    const key = `${to} ${signature(like)}`;
    let session = this.transfers.get(key);
    if (!session) {
      session = await create(identityModel(like), this.options, to);
      this.transfers.set(key, session);
    }
    const feeds: Record<string, ort.Tensor> = {};
    like.forEach((t, i) => { feeds[`in${i}`] = t; });
    const out = await session.run(feeds);
    return new Map(entries.map(([name], i) => [name, out[`out${i}`]!]));
  }
}

/** A WebGPU session for step (or eval) model bytes: `updated.*` outputs on the device, the rest on the host. */
export async function createWebGpuSession(model: Uint8Array, options: WebGpuOptions = {}): Promise<WebGpuStepSession> {
  const keep = options.keepStateOnDevice ?? true;
  const locations: Record<string, Location> = {};
  for (const { name } of decodeModel(model).outputs) locations[name] = keep && name.startsWith(UPDATED_PREFIX) ? 'gpu-buffer' : 'cpu';
  return new WebGpuStepSession(await create(model, options, locations), options);
}
