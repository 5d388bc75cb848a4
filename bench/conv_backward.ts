// node --import ./scripts/register-ts.mjs bench/conv_backward.ts [--rounds 7] [--case 0,2]
// Conv backward formulations on onnxruntime-node CPU, 2 intra-op threads, float32: forward Conv for
// scale, dX (flipped-weight Conv, ConvTranspose) and dW (the Conv rule's forms and the alternatives in
// conv_backward_variants.ts). Each formulation is one session; rounds interleave the sessions and the
// table shows the fastest round (the machine is shared, so the minimum is the least disturbed run).
// Because other jobs share the 2 cores, it also shows process CPU time per run as "cpu GFLOP/s" =
// FLOPs / (CPU time / 2 threads): what the formulation would reach with both cores to itself, a far
// steadier figure than wall time under contention. Every dX / dW output is checked against a reference.

import { Command } from 'commander';
import * as b from '../src/onnx/index.ts';
import type { Value } from '../src/onnx/index.ts';
import type { ConvAttrs } from '../src/onnx/op_types.ts';
import { convInputGrad, convWeightGrad, convWeightGradOp, weightGradAsConv, weightGradBatched, weightGradPerOffset } from '../src/autodiff/conv_grad.ts';
import { lowerForCpu, nchwcBlock } from '../src/runtime/cpu_lowering.ts';
import { createCpuSession, ort } from '../src/runtime/session.ts';
import { batchedNhwc, flatShiftBatched, rowShiftProducts, flatShiftMatMul, im2colChannelFirst, im2colNhwc, perOffsetGemmChannelFirst } from './conv_backward_variants.ts';

interface Case {
  name: string;
  x: [number, number, number, number];
  f: number;
  kernel: [number, number];
  attrs: ConvAttrs;
}

const conv3 = (stride: number): ConvAttrs => ({ strides: [stride, stride], pads: [1, 1, 1, 1], dilations: [1, 1], group: 1 });
const CASES: Case[] = [
  { name: '3x3 128->128 16x16 b128', x: [128, 128, 16, 16], f: 128, kernel: [3, 3], attrs: conv3(1) },
  { name: '3x3 64->64 32x32 b128', x: [128, 64, 32, 32], f: 64, kernel: [3, 3], attrs: conv3(1) },
  { name: '1x1 128->256 16x16 b128', x: [128, 128, 16, 16], f: 256, kernel: [1, 1], attrs: { ...conv3(1), pads: [0, 0, 0, 0] } },
  { name: '3x3 s2 64->128 32x32 b128', x: [128, 64, 32, 32], f: 128, kernel: [3, 3], attrs: conv3(2) },
  // ResNet-18 (CIFAR) layer3 / layer4: few positions per image, many channels.
  { name: '3x3 256->256 8x8 b128', x: [128, 256, 8, 8], f: 256, kernel: [3, 3], attrs: conv3(1) },
  { name: '3x3 512->512 4x4 b128', x: [128, 512, 4, 4], f: 512, kernel: [3, 3], attrs: conv3(1) },
  // Positions per image = output channels: where the two dW forms meet.
  { name: '3x3 256->256 16x16 b64', x: [64, 256, 16, 16], f: 256, kernel: [3, 3], attrs: conv3(1) },
  // The small CNN (width 32, 28x28, 256 x 2 views): conv2 and conv4.
  { name: '3x3 32->32 28x28 b512', x: [512, 32, 28, 28], f: 32, kernel: [3, 3], attrs: conv3(1) },
  { name: '3x3 64->64 14x14 b512', x: [512, 64, 14, 14], f: 64, kernel: [3, 3], attrs: conv3(1) },
  // The main job (width 16, 28x28, 256 x 1 view): conv2 and conv4.
  { name: '3x3 16->16 28x28 b256', x: [256, 16, 28, 28], f: 16, kernel: [3, 3], attrs: conv3(1) },
  { name: '3x3 32->32 14x14 b256', x: [256, 32, 14, 14], f: 32, kernel: [3, 3], attrs: conv3(1) },
  // First convs over the images: the small CNN (1 channel) and the CIFAR stem (3 channels).
  { name: '3x3 1->32 28x28 b512', x: [512, 1, 28, 28], f: 32, kernel: [3, 3], attrs: conv3(1) },
  { name: '3x3 3->64 32x32 b256', x: [256, 3, 32, 32], f: 64, kernel: [3, 3], attrs: conv3(1) },
  // The ImageNet stem at 128 px (32 x 2 views): few input channels, many positions.
  { name: '7x7 s2 3->64 128x128 b64', x: [64, 3, 128, 128], f: 64, kernel: [7, 7], attrs: { strides: [2, 2], pads: [3, 3, 3, 3], dilations: [1, 1], group: 1 } },
];

const THREADS = 2;
const BLOCK = await nchwcBlock();

type Build = (x: Value, dy: Value, w: Value, c: Case) => Value;
/** `lowered`: the graph goes through the CPU lowering pass (NCHWc Convs, composites' CPU forms). */
interface Formulation { name: string; kind: 'fwd' | 'dX' | 'dW'; build: Build; applies?: (c: Case) => boolean; lowered?: boolean }

const stride1 = (c: Case): boolean => c.attrs.strides.every((s) => s === 1);
const FORMULATIONS: Formulation[] = [
  { name: 'forward Conv (reference)', kind: 'fwd', build: (x, _dy, w, c) => b.conv(x, w, undefined, c.attrs) },
  { name: 'forward Conv, CPU lowering (NCHWc)', kind: 'fwd', lowered: true, build: (x, _dy, w, c) => b.conv(x, w, undefined, c.attrs) },
  { name: 'dX flipped-weight Conv (the rule, stride 1)', kind: 'dX', applies: stride1, build: (x, dy, w, c) => convInputGrad(dy, w, x, c.attrs) },
  {
    name: 'dX ConvTranspose',
    kind: 'dX',
    build: (x, dy, w, c) => {
      const [h, wd] = [c.x[2], c.x[3]];
      const [ho, wo] = [dy.shape[2] as number, dy.shape[3] as number];
      const { strides: s, pads: p } = c.attrs;
      const outputPadding = [h + p[0]! + p[2]! - (s[0]! * (ho - 1) + c.kernel[0]), wd + p[1]! + p[3]! - (s[1]! * (wo - 1) + c.kernel[1])];
      return b.convTranspose(dy, w, { ...c.attrs, outputPadding });
    },
  },
  { name: 'dW the rule: batched if L >= F, else per offset', kind: 'dW', build: (x, dy, _w, c) => convWeightGrad(x, dy, c.kernel, c.attrs) },
  { name: 'dW batched MatMul per offset, NCHW windows', kind: 'dW', build: (x, dy, _w, c) => weightGradBatched(x, dy, c.kernel, c.attrs) },
  { name: 'dW im2col (NHWC) + one MatMul', kind: 'dW', build: (x, dy, _w, c) => im2colNhwc(x, dy, c.kernel, c.attrs) },
  { name: 'dW batched MatMul, NHWC windows', kind: 'dW', build: (x, dy, _w, c) => batchedNhwc(x, dy, c.kernel, c.attrs) },
  { name: 'dW per-offset Gemm, channel-first', kind: 'dW', build: (x, dy, _w, c) => perOffsetGemmChannelFirst(x, dy, c.kernel, c.attrs) },
  { name: 'dW per-offset MatMul, K=N*L, NHWC', kind: 'dW', build: (x, dy, _w, c) => weightGradPerOffset(x, dy, c.kernel, c.attrs) },
  { name: 'dW flat-shift MatMul, NHWC', kind: 'dW', applies: stride1, build: (x, dy, _w, c) => flatShiftMatMul(x, dy, c.kernel, c.attrs) },
  { name: 'dW flat-shift batched MatMul, NCHW', kind: 'dW', applies: stride1, build: (x, dy, _w, c) => flatShiftBatched(x, dy, c.kernel, c.attrs) },
  { name: 'dW CPU lowering (composite)', kind: 'dW', lowered: true, build: (x, dy, _w, c) => convWeightGradOp(x, dy, c.kernel, c.attrs) },
  { name: 'dW row-shift products (3 + 3 copies)', kind: 'dW', applies: stride1, build: (x, dy, _w, c) => rowShiftProducts(x, dy, c.kernel, c.attrs) },
  { name: 'dW one Conv over the batch', kind: 'dW', build: (x, dy, _w, c) => weightGradAsConv(x, dy, c.kernel, c.attrs) },
  { name: 'dW im2col channel-first + one Gemm', kind: 'dW', build: (x, dy, _w, c) => im2colChannelFirst(x, dy, c.kernel, c.attrs) },
];

function outSize(c: Case, axis: 0 | 1): number {
  const { strides: s, pads: p, dilations: d } = c.attrs;
  return Math.floor((c.x[2 + axis]! + p[axis]! + p[axis + 2]! - d[axis]! * (c.kernel[axis]! - 1) - 1) / s[axis]!) + 1;
}

function random(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 4294967296 - 0.5;
  });
}

function maxRelDiff(a: Float32Array, ref: Float32Array): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - ref[i]!));
    scale = Math.max(scale, Math.abs(ref[i]!));
  }
  return diff / scale;
}

async function benchCase(c: Case, rounds: number): Promise<void> {
  const yShape = [c.x[0], c.f, outSize(c, 0), outSize(c, 1)];
  const wShape = [c.f, c.x[1], c.kernel[0], c.kernel[1]];
  const flops = 2 * b.numel(yShape) * c.x[1] * c.kernel[0] * c.kernel[1];
  const feeds: Record<string, ort.Tensor> = {
    x: new ort.Tensor('float32', random(b.numel(c.x), 1), [...c.x]),
    dy: new ort.Tensor('float32', random(b.numel(yShape), 2), yShape),
    w: new ort.Tensor('float32', random(b.numel(wShape), 3), wShape),
  };
  const rows: { f: Formulation; session: ort.InferenceSession; best: number; bestCpu: number; err: number }[] = [];
  const refs = new Map<string, Float32Array>();
  for (const f of FORMULATIONS.filter((f) => !f.applies || f.applies(c))) {
    const g = new b.Graph();
    const [x, dy, w] = [g.input('x', 'float32', c.x), g.input('dy', 'float32', yShape), g.input('w', 'float32', wShape)];
    const built = { graph: g, outputs: { out: f.build(x, dy, w, c) } };
    const { graph, outputs } = f.lowered ? lowerForCpu(built.graph, built.outputs, BLOCK) : built;
    const session = await createCpuSession(b.serialize(graph, { outputs, pruneInputs: true }), { threads: THREADS });
    const feed = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!]));
    const out = (await session.run(feed)).out!.data as Float32Array;
    const ref = refs.get(f.kind) ?? out;
    refs.set(f.kind, ref);
    rows.push({ f, session, best: Infinity, bestCpu: Infinity, err: maxRelDiff(out, ref) });
  }
  for (let r = 0; r < rounds; r++) {
    for (const row of rows) {
      const feed = Object.fromEntries(row.session.inputNames.map((n) => [n, feeds[n]!]));
      const [t0, cpu0] = [performance.now(), process.cpuUsage()];
      await row.session.run(feed);
      const cpu = process.cpuUsage(cpu0);
      row.best = Math.min(row.best, performance.now() - t0);
      row.bestCpu = Math.min(row.bestCpu, (cpu.user + cpu.system) / 1000);
    }
  }
  console.log(`\n${c.name}: x [${c.x}], dy [${yShape}], ${(flops / 1e9).toFixed(2)} GFLOP per product`);
  console.log(`${'formulation'.padEnd(48)} ${'GFLOP/s'.padStart(8)} ${'ms'.padStart(7)} ${'cpu GFLOP/s'.padStart(12)} ${'cpu ms'.padStart(7)}  max rel diff`);
  for (const { f, best, bestCpu, err } of rows) {
    const cells = [(flops / best / 1e6).toFixed(1).padStart(8), best.toFixed(1).padStart(7), (flops / (bestCpu / THREADS) / 1e6).toFixed(1).padStart(12), bestCpu.toFixed(1).padStart(7)];
    console.log(`${f.name.padEnd(48)} ${cells.join(' ')}  ${err.toExponential(1)}`);
  }
  await Promise.all(rows.map((row) => row.session.release()));
}

const opts = new Command()
  .option('--rounds <n>', 'timed rounds per formulation (the fastest is shown)', '7')
  .option('--case <list>', 'comma-separated case indices (default: all)')
  .parse()
  .opts<{ rounds: string; case?: string }>();
const chosen = opts.case ? opts.case.split(',').map(Number) : CASES.map((_, i) => i);
for (const i of chosen) await benchCase(CASES[i]!, Number(opts.rounds));
