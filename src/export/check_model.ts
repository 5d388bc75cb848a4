// The "ONNX checker" for exported models. There is no JS port of onnx.checker, so this validates the
// structure itself (decoded with onnx-proto through src/onnx/decode.ts) and then loads the model in both
// runtimes it ships to (onnxruntime-node, onnxruntime-web's WASM) and runs it once on zeros.

import { decodeModel, type DecodedModel } from '../onnx/decode.ts';
import { createCpuSession, runHost, type HostTensor } from '../runtime/session.ts';
import { createWasmSession, runWasm } from '../runtime/wasm_session.ts';

export type CheckRuntime = 'node' | 'wasm';

export interface CheckOptions {
  /** Runtimes that must load and run the model (default both; [] = structure only). */
  runtimes?: readonly CheckRuntime[];
}

export interface CheckReport {
  nodes: number;
  initializers: number;
  opTypes: string[];
  inputs: string[];
  outputs: string[];
  runtimes: CheckRuntime[];
}

export class ModelCheckError extends Error {
  override name = 'ModelCheckError';
  constructor(readonly problems: readonly string[]) {
    super(`model check failed:\n  ${problems.join('\n  ')}`);
  }
}

const AI_ONNX = new Set(['', 'ai.onnx']);
const FLOAT32 = 1;

/** Every structural problem of a decoded model (empty when it is well formed). */
export function structuralProblems(m: DecodedModel): string[] {
  const problems: string[] = [];
  if (m.irVersion <= 0) problems.push('ir_version is missing');
  if (!m.opsetImports.some((o) => AI_ONNX.has(o.domain) && o.version > 0)) problems.push('no ai.onnx opset import');
  for (const o of m.opsetImports) if (!AI_ONNX.has(o.domain)) problems.push(`opset import of non-standard domain "${o.domain}"`);

  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (name === '') problems.push(`${what} has an empty name`);
    else if (defined.has(name)) problems.push(`${what} "${name}" is defined twice`);
    defined.add(name);
  };
  for (const t of m.initializers) define(t.name, 'initializer');
  for (const v of m.inputs) {
    if (!defined.has(v.name)) define(v.name, 'graph input'); // an input may be overridable by an initializer
    if (v.elemType === 0 || v.dims === undefined) problems.push(`graph input "${v.name}" has no tensor type and shape`);
  }
  for (const n of m.nodes) {
    const where = `node ${n.name || '<unnamed>'} (${n.opType})`;
    if (!AI_ONNX.has(n.domain)) problems.push(`${where} is in domain "${n.domain}", only ai.onnx is allowed`);
    for (const i of n.inputs) if (i !== '' && !defined.has(i)) problems.push(`${where} reads "${i}", which no earlier node, initializer or input defines`);
    for (const o of n.outputs) if (o !== '') define(o, `${where} output`);
  }
  if (m.outputs.length === 0) problems.push('graph has no outputs');
  for (const v of m.outputs) {
    if (!defined.has(v.name)) problems.push(`graph output "${v.name}" is never computed`);
    if (v.elemType === 0 || v.dims === undefined) problems.push(`graph output "${v.name}" has no tensor type and shape`);
  }
  return problems;
}

/** Zero feeds with symbolic dims set to 1, or undefined when an input is not float32. */
function zeroFeeds(m: DecodedModel): Record<string, HostTensor> | undefined {
  const initialized = new Set(m.initializers.map((t) => t.name));
  const feeds: Record<string, HostTensor> = {};
  for (const v of m.inputs) {
    if (initialized.has(v.name)) continue;
    if (v.elemType !== FLOAT32) return undefined;
    const dims = (v.dims ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    feeds[v.name] = { dtype: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) };
  }
  return feeds;
}

function outputProblems(runtime: CheckRuntime, m: DecodedModel, out: Record<string, HostTensor>): string[] {
  const problems: string[] = [];
  for (const v of m.outputs) {
    const t = out[v.name];
    if (!t) problems.push(`${runtime}: output "${v.name}" missing from the run`);
    else if (t.data instanceof Float32Array && t.data.some((x) => !Number.isFinite(x))) problems.push(`${runtime}: output "${v.name}" is not finite on zero input`);
  }
  return problems;
}

async function runtimeProblems(runtime: CheckRuntime, bytes: Uint8Array, m: DecodedModel): Promise<string[]> {
  const feeds = zeroFeeds(m);
  try {
    if (runtime === 'node') {
      const session = await createCpuSession(bytes, { threads: 1 });
      try {
        return feeds ? outputProblems(runtime, m, await runHost(session, feeds)) : [];
      } finally {
        await session.release();
      }
    }
    const session = await createWasmSession(bytes);
    try {
      return feeds ? outputProblems(runtime, m, await runWasm(session, feeds)) : [];
    } finally {
      await session.release();
    }
  } catch (err) {
    return [`${runtime}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`];
  }
}

/** Validates `bytes`; throws ModelCheckError listing every problem found. */
export async function checkModel(bytes: Uint8Array, options: CheckOptions = {}): Promise<CheckReport> {
  let m: DecodedModel;
  try {
    m = decodeModel(bytes);
  } catch (err) {
    throw new ModelCheckError([`not an ONNX ModelProto: ${err instanceof Error ? err.message : String(err)}`]);
  }
  const problems = structuralProblems(m);
  const runtimes = [...(options.runtimes ?? ['node', 'wasm'])];
  // Runtimes are only asked about structurally sound models: their errors are less clear.
  if (problems.length === 0) for (const r of runtimes) problems.push(...(await runtimeProblems(r, bytes, m)));
  if (problems.length > 0) throw new ModelCheckError(problems);
  return {
    nodes: m.nodes.length,
    initializers: m.initializers.length,
    opTypes: [...new Set(m.nodes.map((n) => n.opType))].sort(),
    inputs: m.inputs.map((v) => v.name),
    outputs: m.outputs.map((v) => v.name),
    runtimes,
  };
}
