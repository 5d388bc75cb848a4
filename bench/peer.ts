// The PyTorch peer of a bench row: bench/torch_peer.py under Debian's interpreter, which has torch after
// `apt-get install python3-torch` (and runs its BLAS work faster with libopenblas0-pthread).

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchCase } from './cases.ts';

export interface PeerResult {
  msPerStep: number;
  peakRssMb: number;
  torch: string;
}

const SCRIPT = fileURLToPath(new URL('./torch_peer.py', import.meta.url));

/** Why the peer cannot run with `python`, or undefined when `import torch` works there. */
export function peerUnavailable(python: string): string | undefined {
  const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.error) return `${python} not found (${probe.error.message})`;
  if (probe.status !== 0) return `${python} cannot import torch (${probe.stderr.trim().split('\n').pop() ?? `exit ${probe.status}`})`;
  return undefined;
}

export function runPeer(python: string, c: BenchCase, steps: number, threads: number): PeerResult {
  const args = [SCRIPT, ...c.peer, '--threads', String(threads), '--warmup', '1', '--steps', String(steps)];
  const run = spawnSync(python, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  const line = run.stdout?.trim().split('\n').pop();
  if (run.status !== 0 || !line) throw new Error(`PyTorch peer of ${c.name} failed (exit ${run.status}): ${run.stderr}`);
  const out = JSON.parse(line) as { step_s: number; peak_rss_mb: number; torch: string };
  return { msPerStep: out.step_s * 1000, peakRssMb: out.peak_rss_mb, torch: out.torch };
}
