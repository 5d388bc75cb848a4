// Reads an onnxruntime profile (chrome-trace JSON) and sums kernel time by op type and by phase
// (forward / backward / optimizer, from our node-name scopes `grad.` and `optimizer.`).

import { readFile } from 'node:fs/promises';
import { inScope } from './flops.ts';

export interface OpTime {
  op: string;
  /** Total microseconds over all profiled runs. */
  us: number;
  calls: number;
}

export interface ProfileSummary {
  byOp: OpTime[];
  byPhase: Record<'forward' | 'backward' | 'optimizer', number>;
  totalUs: number;
  runs: number;
}

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string };
}

const phaseOf = (node: string): keyof ProfileSummary['byPhase'] =>
  inScope(node, 'grad') ? 'backward' : inScope(node, 'optimizer') ? 'optimizer' : 'forward';

/** Summarises the node events of `path`; `skipRuns` leading runs (warm-up) are left out. */
export async function summariseProfile(path: string, skipRuns = 0): Promise<ProfileSummary> {
  const events = JSON.parse(await readFile(path, 'utf8')) as TraceEvent[];
  const byOp = new Map<string, OpTime>();
  const byPhase = { forward: 0, backward: 0, optimizer: 0 };
  let run = -1;
  let totalUs = 0;
  for (const e of events) {
    if (e.cat === 'Session' && e.name === 'model_run') run++;
    if (e.cat !== 'Node' || !e.name?.endsWith('_kernel_time') || e.dur === undefined) continue;
    // Node events of a run precede its model_run event, so the run in progress is run + 1.
    if (run + 1 < skipRuns) continue;
    const op = e.args?.op_name ?? '?';
    const entry = byOp.get(op) ?? { op, us: 0, calls: 0 };
    entry.us += e.dur;
    entry.calls++;
    byOp.set(op, entry);
    byPhase[phaseOf(e.name)] += e.dur;
    totalUs += e.dur;
  }
  return { byOp: [...byOp.values()].sort((a, b) => b.us - a.us), byPhase, totalUs, runs: run + 1 - skipRuns };
}
