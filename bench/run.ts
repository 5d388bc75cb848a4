// npm run bench [-- --only resnet18,small_cnn] [--rounds 3] [--steps 3] [--json] [--profile] [--no-lowering] [--no-peer]
// Training-step speed and memory side by side with PyTorch on this CPU (bench/cases.ts): for each row
// and round, our step (onnxruntime-node CPU EP, in its own process) and the same step in PyTorch
// (bench/torch_peer.py) alternate, with the same thread count; the table shows medians over rounds
// and the ratios. Without PyTorch it says why and shows ours only. Never part of `npm test`.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { type BenchCase, CASES } from './cases.ts';
import { type OursResult, measure } from './measure.ts';
import { type PeerResult, peerUnavailable, runPeer } from './peer.ts';

interface Options {
  only: string[];
  rounds: number;
  steps: number;
  threads: number;
  json: boolean;
  profile: boolean;
  lowering: boolean;
  peer: boolean;
  python: string;
  child?: string;
}

const program = new Command('bench')
  .option('--only <rows>', `comma-separated rows (${CASES.map((c) => c.name).join(', ')})`, (v: string) => v.split(','), CASES.map((c) => c.name))
  .option('--rounds <n>', 'alternating rounds per row (medians are shown)', Number, 3)
  .option('--steps <n>', 'timed steps per run, after one warm-up step', Number, 3)
  .option('--threads <n>', 'intra-op threads, ours and PyTorch alike', Number, 2)
  .option('--json', 'one JSON object per row and line instead of the table', false)
  .option('--profile', 'ours only, one round: ORT profiling, top ops by kernel time', false)
  .option('--no-lowering', 'run the portable step graph (no CPU lowering pass)')
  .option('--no-peer', 'do not run PyTorch')
  .option('--python <path>', 'the interpreter with torch', '/usr/bin/python3')
  .option('--child <row>', 'internal: measure one row of ours and print it as JSON')
  .parse();
const opts = program.opts<Options>();

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Linux's CPU time counters (/proc/stat, all CPUs): total and stolen by the hypervisor; undefined elsewhere. */
function cpuTicks(): { total: number; steal: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { total: fields.slice(0, 8).reduce((a, v) => a + v, 0), steal: fields[7] ?? 0 };
  } catch {
    return undefined;
  }
}

const caseNamed = (name: string): BenchCase => {
  const c = CASES.find((k) => k.name === name);
  if (!c) throw new Error(`unknown bench row '${name}' (rows: ${CASES.map((k) => k.name).join(', ')})`);
  return c;
};

/** Ours in a child process, so that its peak RSS is the row's own. */
function runOurs(c: BenchCase): OursResult {
  const args = [...process.execArgv, fileURLToPath(import.meta.url), '--child', c.name, '--steps', String(opts.steps), '--threads', String(opts.threads),
    ...(opts.lowering ? [] : ['--no-lowering']), ...(opts.profile ? ['--profile'] : [])];
  const child = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });
  const line = child.stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (child.status !== 0 || !line) throw new Error(`bench of ${c.name} failed (exit ${child.status}):\n${child.stdout}`);
  return JSON.parse(line.slice('RESULT '.length)) as OursResult;
}

interface Row {
  c: BenchCase;
  ours: OursResult[];
  peer: PeerResult[];
}

const imagesPerS = (c: BenchCase, ms: number): number => (c.config.batchSize / ms) * 1000;

function summary(r: Row, cpu: string) {
  const oursMs = median(r.ours.map((o) => o.msPerStep));
  const peerMs = r.peer.length > 0 ? median(r.peer.map((p) => p.msPerStep)) : undefined;
  const oursRss = median(r.ours.map((o) => o.peakRssMb));
  const peerRss = r.peer.length > 0 ? median(r.peer.map((p) => p.peakRssMb)) : undefined;
  const { batchSize, views } = r.c.config;
  // Each round's own ratio (its two runs ran back to back): their spread shows what the noise allows.
  const roundRatios = r.peer.map((p, i) => p.msPerStep / r.ours[i]!.msPerStep);
  return {
    model: r.c.name, step: r.c.step, batch: batchSize, views, cpu, threads: opts.threads, rounds: r.ours.length, lowering: opts.lowering,
    ours_images_per_s: imagesPerS(r.c, oursMs), pytorch_images_per_s: peerMs === undefined ? null : imagesPerS(r.c, peerMs),
    ratio: peerMs === undefined ? null : peerMs / oursMs,
    ratio_min: roundRatios.length > 0 ? Math.min(...roundRatios) : null, ratio_max: roundRatios.length > 0 ? Math.max(...roundRatios) : null,
    ours_ms_per_step: oursMs, pytorch_ms_per_step: peerMs ?? null,
    ours_gflops: (3 * r.ours[0]!.forwardFlops) / oursMs / 1e6,
    ours_peak_rss_mb: oursRss, pytorch_peak_rss_mb: peerRss ?? null, rss_ratio: peerRss === undefined ? null : oursRss / peerRss,
    torch: r.peer[0]?.torch ?? null,
  };
}

function printTable(rows: ReturnType<typeof summary>[], note: string): void {
  const f = (x: number | null, digits = 1): string => (x === null ? '-' : x.toFixed(digits));
  const header = ['row', 'step', 'batch', 'ours img/s', 'PyTorch img/s', 'ratio', 'rounds\' ratios', 'ours GFLOP/s', 'ours RSS MB', 'PyTorch RSS MB', 'RSS ratio'];
  const cells = rows.map((r) => [r.model, r.step, `${r.batch}x${r.views}`, f(r.ours_images_per_s), f(r.pytorch_images_per_s), r.ratio === null ? '-' : `${r.ratio.toFixed(2)}x`,
    r.ratio_min === null || r.ratio_max === null ? '-' : `${r.ratio_min.toFixed(2)}-${r.ratio_max.toFixed(2)}`,
    f(r.ours_gflops, 0), f(r.ours_peak_rss_mb, 0), f(r.pytorch_peak_rss_mb, 0), r.rss_ratio === null ? '-' : `${r.rss_ratio.toFixed(2)}x`]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((v, i) => (i < 2 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  for (const c of cells) console.log(line(c));
  console.log('img/s: images per second (batch: images x views; a SupCon image is 2 views, 1 in the main job); ratio: ours / PyTorch images per second (> 1: we are faster);');
  console.log('rounds\' ratios: the lowest and highest ratio of a single round (ours and PyTorch back to back): a median inside a range that spans 1 is parity within the noise;');
  console.log('RSS ratio: our peak resident memory / PyTorch\'s (< 1: we use less); GFLOP/s: 3 x forward Conv/Gemm FLOPs per step time.');
  console.log(note);
}

function printProfile(c: BenchCase, r: OursResult): void {
  const p = r.profile;
  if (!p || p.runs < 1) return;
  const ms = (us: number): string => (us / p.runs / 1000).toFixed(1);
  console.log(`\n${c.name}: kernel time per step ${ms(p.totalUs)} ms (forward ${ms(p.byPhase.forward)}, backward ${ms(p.byPhase.backward)}, optimizer ${ms(p.byPhase.optimizer)})`);
  for (const o of p.byOp.slice(0, 14)) {
    console.log(`  ${o.op.padEnd(24)} ${ms(o.us).padStart(9)} ms  ${((100 * o.us) / p.totalUs).toFixed(1).padStart(5)}%  ${String(o.calls / p.runs).padStart(5)} calls`);
  }
}

if (opts.child) {
  console.log(`RESULT ${JSON.stringify(await measure(caseNamed(opts.child), opts))}`);
} else {
  const chosen = opts.only.map(caseNamed);
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const missing = opts.profile || !opts.peer ? 'not asked for' : peerUnavailable(opts.python);
  if (missing && opts.peer && !opts.profile) console.error(`PyTorch peer unavailable: ${missing}. Debian: apt-get install python3-torch libopenblas0-pthread. Showing ours only.`);
  const rounds = opts.profile ? 1 : opts.rounds;
  const ticks0 = cpuTicks();
  const rows: Row[] = chosen.map((c) => ({ c, ours: [], peer: [] }));
  for (let round = 0; round < rounds; round++) {
    for (const row of rows) {
      // Alternate which goes first, so that a drift in machine speed does not favour either side.
      const order = round % 2 === 0 ? ['ours', 'peer'] : ['peer', 'ours'];
      for (const who of order) {
        if (who === 'ours') row.ours.push(runOurs(row.c));
        else if (!missing) row.peer.push(runPeer(opts.python, row.c, opts.steps, opts.threads));
      }
      console.error(`round ${round + 1}/${rounds}: ${row.c.name} done`);
    }
  }
  const results = rows.map((r) => summary(r, cpu));
  const ticks1 = cpuTicks();
  // On a shared virtual machine the hypervisor may run other guests on our cores: their share is the noise.
  const steal = ticks0 && ticks1 ? ` ${((100 * (ticks1.steal - ticks0.steal)) / Math.max(1, ticks1.total - ticks0.total)).toFixed(1)}% of CPU time stolen by the hypervisor;` : '';
  const note = `${cpu}, ${cpus().length} cores, ${opts.threads} threads each; medians of ${rounds} alternating round(s) of ${opts.steps} steps after a warm-up;` +
    ` CPU lowering ${opts.lowering ? 'on' : 'off'};${steal} load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`;
  if (opts.json) for (const r of results) console.log(JSON.stringify(r));
  else printTable(results, note);
  for (const r of rows) printProfile(r.c, r.ours[0]!);
}
