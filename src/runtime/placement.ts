// Where ORT ran each node. A device EP (WebGPU, CUDA) hands nodes it has no kernel for to the CPU EP
// without failing, only a warning on stderr ("Some nodes were not assigned to the preferred execution
// providers"); each such node costs a device -> host -> device round trip of its tensors. ORT's profile
// (enableProfiling) records the provider of every node it ran, which is read back here.

import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface NodePlacement {
  node: string;
  op: string;
  provider: string;
  /** Output types and shapes, e.g. `int64[8]`. */
  outputs: string;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  args?: { op_name?: string; provider?: string; output_type_shape?: Record<string, number[]>[] };
}

/** The newest profile ORT wrote for `prefix` (it appends `_<timestamp>.json`). */
export function latestProfile(prefix: string): string {
  const dir = dirname(prefix);
  const files = readdirSync(dir).filter((f) => f.startsWith(`${basename(prefix)}_`) && f.endsWith('.json')).sort();
  const last = files.at(-1);
  if (!last) throw new Error(`no ORT profile ${prefix}_*.json`);
  return join(dir, last);
}

/** Each node of a profile once, with its provider. */
export function readPlacements(profile: string): NodePlacement[] {
  const events = JSON.parse(readFileSync(profile, 'utf8')) as TraceEvent[];
  const seen = new Map<string, NodePlacement>();
  for (const e of events) {
    const provider = e.args?.provider;
    if (e.cat !== 'Node' || !provider || !e.name?.endsWith('_kernel_time')) continue;
    const node = e.name.slice(0, -'_kernel_time'.length);
    const outputs = (e.args?.output_type_shape ?? []).flatMap((o) => Object.entries(o).map(([type, dims]) => `${type}[${dims.join(',')}]`)).join(' ');
    seen.set(node, { node, op: e.args?.op_name ?? '?', provider, outputs });
  }
  return [...seen.values()];
}

/** Nodes a device EP left to the CPU EP (ORT's own Memcpy nodes excluded). */
export function cpuFallbacks(placements: readonly NodePlacement[]): NodePlacement[] {
  return placements.filter((p) => p.provider === 'CPUExecutionProvider' && !p.op.startsWith('Memcpy'));
}
