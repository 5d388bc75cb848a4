// ONNX Runtime sessions for the CPU execution provider and host tensors in and out (the other EPs:
// providers.ts). The only module family that imports onnxruntime-node.

import * as ort from 'onnxruntime-node';
import * as b from '../onnx/index.ts';
import type { DType, Graph, HostArray, ModelOptions } from '../onnx/index.ts';

export { ort };

export interface HostTensor {
  dtype: DType;
  dims: readonly number[];
  data: HostArray;
}

/** A builder graph and how to serialise it: what a session factory may lower for its execution provider. */
export interface GraphModel {
  graph: Graph;
  options: ModelOptions;
}

/** What a session runs: model bytes as they are, or a graph model (see cpuSessionFactory's lowering). */
export type ModelSource = Uint8Array | GraphModel;

export const modelBytes = (model: ModelSource): Uint8Array => (model instanceof Uint8Array ? model : b.serialize(model.graph, model.options));

export interface SessionOptions {
  /** Intra-op threads for the CPU execution provider (0 = ORT's default). */
  threads?: number;
  /** CPU: run graph models through the CPU lowering pass (cpu_lowering.ts); default true. */
  lowering?: boolean;
  /** CPU: ORT's memory arena (default on). */
  memoryArena?: boolean;
  /** ORT's memory pattern: one block per run, planned from the first run (default on). */
  memoryPattern?: boolean;
  profile?: boolean;
  /** Path prefix of the profile JSON (ORT appends a timestamp and `.json`); ORT's default in the cwd when absent. */
  profilePrefix?: string;
}

const ORT_TYPE: Record<DType, ort.Tensor.Type> = {
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
  bool: 'bool',
  uint8: 'uint8',
};

export async function createCpuSession(model: Uint8Array | string, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: options.threads ?? 0,
    interOpNumThreads: 1,
    enableCpuMemArena: options.memoryArena ?? true,
    enableMemPattern: options.memoryPattern ?? true,
    enableProfiling: options.profile ?? false,
    ...(options.profilePrefix ? { profileFilePrefix: options.profilePrefix } : {}),
  };
  return typeof model === 'string' ? ort.InferenceSession.create(model, opts) : ort.InferenceSession.create(model, opts);
}

export function toOrt(t: HostTensor): ort.Tensor {
  return new ort.Tensor(ORT_TYPE[t.dtype], t.data, [...t.dims]);
}

/** Our dtype of an ORT tensor type (without touching its data, which may live on a device). */
export function dtypeOf(type: ort.Tensor.Type): DType {
  const dtype = (Object.keys(ORT_TYPE) as DType[]).find((k) => ORT_TYPE[k] === type);
  if (!dtype) throw new Error(`unsupported ORT tensor type ${type}`);
  return dtype;
}

export function fromOrt(t: ort.Tensor): HostTensor {
  return { dtype: dtypeOf(t.type), dims: [...t.dims], data: t.data as HostArray };
}

/** What `runHost` needs: an ORT session, or any execution provider's StepSession (providers.ts). */
export interface RunnableSession {
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}

/** Runs a session on host tensors and returns host tensors by output name (outputs must be on the host). */
export async function runHost(session: RunnableSession, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(feeds)) ortFeeds[k] = toOrt(v);
  const out = await session.run(ortFeeds);
  const result: Record<string, HostTensor> = {};
  for (const [k, v] of Object.entries(out)) result[k] = fromOrt(v);
  return result;
}
