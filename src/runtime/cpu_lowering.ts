// The CPU execution provider's lowering pass, applied to graph models by cpuSessionFactory; the
// portable graph (build-graph, the other execution providers, exported models) is left as it is, and
// test/runtime/cpu_lowering.test.ts shows the lowered steps equal the portable ones over several steps.
//
// 1. Gradient composites get CPU kernels. MaxPoolGrad puts dy where the forward MaxPool's Indices
//    output (which WebGPU lacks) says: MaxUnpool where windows tile the input, ScatterElements (add)
//    where they overlap. The forward pool emits the indices, so the backward neither pools again nor
//    keeps the pool's input (ImageNet stem's 3x3/2 pool backward: 850 ms per step as composed float
//    ops, 52 ms through the indices). ConvWeightGrad of a stride-1 Conv whose batch and output channels
//    are whole blocks is one blocked Conv over the batch (weightGradAsBlockedConv; ResNet-18 at 128 px,
//    batch 64: the step's weight gradients 821 -> 703 ms); elsewhere, where each image has at least as
//    many output positions as output channels, it takes its windows from ORT's blocked layout (below)
//    with one depthwise Conv per kernel offset and multiplies them with dy per channel block: 1.2-1.3x
//    the portable products. FlippedWeight, the input gradient's filter, is built in the blocked order at once.
// 2. Convs run in ORT's blocked NCHWc layout (com.microsoft.nchwc: direct-convolution kernels for AVX2
//    and AVX-512), between a ReorderInput of x and a ReorderOutput of y, with the filter, fed at run
//    time, reordered in the graph. ORT's own NCHWc transform only takes Convs whose weights are constant
//    initializers, so it never fires in a training step. Measured on a 2-core Xeon (AVX-512, block 16),
//    reorders included: 3x3 Convs 1.1-1.7x faster (64 ch at 32x32: 125 -> 150 GFLOP/s; 256 ch at 8x8:
//    133 -> 226); 1x1 Convs only where the output has >= 32x32 positions (below that plain Conv's
//    direct GEMM wins: 512 -> 2048 ch at 4x4, 174 against 75 GFLOP/s).

import * as b from '../onnx/index.ts';
import type { Graph, Node, Rewritten, Value } from '../onnx/index.ts';
import type { ConvAttrs, PoolAttrs } from '../onnx/op_types.ts';
import { windowsTile } from '../autodiff/max_pool_grad.ts';
import { createCpuSession, ort } from './session.ts';

const isOp = <P extends b.OpType>(op: P) => (node: Node): node is Node<P> => node.op === op;
const isConv = isOp('Conv');
const isMaxPool = isOp('MaxPool');
const isMaxPoolGrad = isOp('MaxPoolGrad');
const isConvWeightGrad = isOp('ConvWeightGrad');
const isFlippedWeight = isOp('FlippedWeight');

/** Lowers `graph` for the CPU EP with NCHWc block `block` (0: this build has no NCHWc kernels). */
export function lowerForCpu(graph: Graph, outputs: Record<string, Value>, block: number): Rewritten {
  // MaxPool outputs whose gradient is taken, and (once rewritten) their Indices.
  const differentiated = new Set(graph.nodes.filter(isMaxPoolGrad).map((node) => node.inputs[1]));
  const indicesOf = new Map<Value, Value>();
  const expanded = b.rewriteGraph(graph, outputs, (node, inputs) => {
    if (isMaxPool(node) && differentiated.has(node.outputs[0])) {
      const [y, indices] = b.maxPoolWithIndices(inputs[0]!, poolOptions(node.attrs));
      indicesOf.set(y, indices);
      return [y];
    }
    if (isMaxPoolGrad(node)) return [unpooledMaxPoolGrad(inputs, node.attrs, indicesOf)];
    if (isConvWeightGrad(node) && block > 0) return weightGradAsBlockedConv(inputs, node.attrs, block) ?? blockedWeightGrad(inputs, node.attrs, block) ?? node.expand?.(inputs);
    if (isFlippedWeight(node) && block > 0) return undefined; // kept for lowerConvsToNchwc (blockedFlippedFilter)
    return node.expand?.(inputs);
  });
  return block > 0 ? lowerConvsToNchwc(expanded.graph, expanded.outputs, block) : expanded;
}

const poolOptions = (attrs: PoolAttrs): b.PoolOptions => ({ kernel: attrs.kernel_shape, strides: attrs.strides, pads: attrs.pads });

/**
 * dx: dy put at the flat N*C*H*W positions of the forward pool's Indices (pooled again from x where
 * the forward pool is not in this graph). Tiling windows hit each position once at most: MaxUnpool.
 * Overlapping ones may pick one maximum twice: ScatterElements into zeros, adding.
 */
function unpooledMaxPoolGrad([x, y, dy]: readonly (Value | undefined)[], attrs: PoolAttrs, indicesOf: ReadonlyMap<Value, Value>): Value {
  const shape = b.staticShape(x!.shape, 'MaxPool gradient on the CPU');
  const indices = indicesOf.get(y!) ?? b.maxPoolWithIndices(x!, poolOptions(attrs))[1];
  if (windowsTile(x!, y!, attrs)) return b.maxUnpool(dy!, indices, shape, poolOptions(attrs));
  const flat = b.reshape(indices, [-1]);
  // Zeros made at run time (an index times 0): ORT folds constant zeros into an initializer (64 MB for
  // the ImageNet stem) and then copies it into ScatterElements' output on every run (the pool's gradient alone: 115 -> 31 ms).
  const zero = b.cast(b.mul(b.slice(flat, [0], [1], [0]), 0), x!.dtype);
  return b.reshape(b.scatterElements(b.expand(zero, [b.numel(shape)]), flat, b.reshape(dy!, [-1]), 0, 'add'), shape);
}

/**
 * dw [F, C, kH, kW] with C a multiple of the block, when each image has at least as many output
 * positions L as output channels F (the portable form's batched regime). Per kernel offset k, the
 * window of x that meets dy is a depthwise Conv with a one-hot kernel in the blocked layout
 * ([N, C/B, L, B]: no Pad, no single-threaded Slice), and dw_k [C/B, F, B] = sum_n dy[n] [F, L] @
 * window[n, cb] [L, B]; undefined where the conditions do not hold.
 */
function blockedWeightGrad([x, dy]: readonly (Value | undefined)[], attrs: ConvAttrs & { kernel_shape: number[] }, block: number): Value[] | undefined {
  const [n, c] = x!.shape;
  const [, f, ho, wo] = dy!.shape;
  const [kh, kw] = attrs.kernel_shape as [number, number];
  const dims = [n, c, f, ho, wo];
  if (!dims.every((d): d is number => typeof d === 'number') || attrs.group !== 1 || attrs.dilations.some((d) => d !== 1)) return undefined;
  const [batch, cin, cout, h, w] = dims as [number, number, number, number, number];
  if (cin % block !== 0 || h * w < cout) return undefined;
  const g = x!.graph;
  const xb = b.ortCpu.reorderInput(x!);
  const dyRows = b.reshape(dy!, [batch, 1, cout, h * w]);
  const taps = kh * kw;
  const parts = Array.from({ length: taps }, (_, k) => {
    // One-hot depthwise filter at offset k, in the blocked depthwise order [C/B, 1, kH, kW, B].
    const oneHot = Float32Array.from({ length: cin * taps }, (_, i) => (Math.floor(i / block) % taps === k ? 1 : 0));
    const filter = g.constant(oneHot, 'float32', [cin, 1, kh, kw]);
    const window = b.ortCpu.nchwcConv(xb, filter, undefined, { ...attrs, group: cin }, [batch, cin, h, w]);
    const product = b.matmul(dyRows, b.reshape(window, [batch, cin / block, h * w, block])); // [N, C/B, F, B]
    return b.reshape(b.reduceSum(product, [0]), [1, cin / block, cout, block]);
  });
  const stacked = taps > 1 ? b.concat(parts, 0) : parts[0]!; // [K, C/B, F, B]
  return [b.reshape(b.transpose(stacked, [2, 1, 3, 0]), [cout, cin, kh, kw])];
}

/**
 * dw as a blocked Conv in which the batch is the reduced channel axis (group 1, N and F multiples of
 * the block): xpad^T [C, N, Hp, Wp] convolved with dy^T [F, N, Ho, Wo] as the filter gives [C, F, kH, kW]
 * (1.2-1.3x the per-offset forms on ResNet-18's 3x3 Convs at batch 64). x is padded first: with pads,
 * every output of so large a kernel takes ORT's edge path (2.3x slower). Not for 1x1 kernels (one output
 * per channel pair: ResNet-50's step 1.25x slower) nor strides > 1 (they become dilations: 1.4x slower).
 */
function weightGradAsBlockedConv([x, dy]: readonly (Value | undefined)[], attrs: ConvAttrs & { kernel_shape: number[] }, block: number): Value[] | undefined {
  const [n, c] = x!.shape;
  const f = dy!.shape[1];
  const unit = [...attrs.strides, ...attrs.dilations].every((s) => s === 1) && attrs.kernel_shape.some((k) => k > 1);
  if (typeof n !== 'number' || typeof c !== 'number' || typeof f !== 'number' || attrs.group !== 1 || !unit || n % block !== 0 || f % block !== 0) return undefined;
  const { pads, kernel_shape: kernel } = attrs;
  // Batches over 64 go in chunks of 32 images, the filter of each chunk small enough to stay in cache
  // (ResNet-18 at 32 px, batch 256: step 5.84 -> 5.54 s, 50 MB less; small CNN at batch 512: 634 -> 593
  // ms); at 64 the chunks did not pay (ImageNet stem: 1.57 -> 1.74 s, 80 MB more).
  const chunk = n > 64 ? 32 : n;
  const parts: Value[] = [];
  for (let n0 = 0; n0 < n; n0 += chunk) {
    const [xc, dyc] = chunk >= n ? [x!, dy!] : [b.slice(x!, [n0], [n0 + chunk], [0]), b.slice(dy!, [n0], [n0 + chunk], [0])];
    const xt = b.ortCpu.reorderInput(b.pad(b.transpose(xc, [1, 0, 2, 3]), [0, 0, pads[0]!, pads[1]!, 0, 0, pads[2]!, pads[3]!]));
    const filter = blockedFilter(b.transpose(dyc, [1, 0, 2, 3]), block);
    parts.push(b.ortCpu.nchwcConv(xt, filter, undefined, { ...attrs, pads: [0, 0, 0, 0] }, [c, f, ...kernel]));
  }
  const dwT = parts.reduce((sum, p) => b.add(sum, p));
  return [b.transpose(b.ortCpu.reorderOutput(dwT, f), [1, 0, 2, 3])];
}

/**
 * t, whose leading axis has `rows` entries of `cols` values, with that axis blocked and its block moved
 * innermost ([rows/B, cols, B]): a ReorderInput of t seen as [1, rows, cols, 1]. ORT's vectorised
 * reorder: a Transpose in its place ran 2-3 ms for a 512 x 512 x 3 x 3 filter.
 */
const leadingAxisBlocked = (t: Value, rows: number, cols: number): Value => b.ortCpu.reorderInput(b.reshape(t, [1, rows, cols, 1]));

/**
 * w [O, C, kH, kW] in the blocked filter order [O/B, C/B, kH, kW, C%B, O%B] (same declared shape): a
 * ReorderInput blocks C ([O, C/B, kH, kW, B]), then O is blocked with O%B innermost.
 */
function blockedFilter(w: Value, block: number): Value {
  const [o, c, kh, kw] = b.staticShape(w.shape, 'NCHWc filter') as [number, number, number, number];
  return b.reshape(leadingAxisBlocked(b.ortCpu.reorderInput(w), o, c * kh * kw), [o, c, kh, kw]);
}

/**
 * FlippedWeight(w) (w [F, C, kH, kW], group 1) in the blocked filter order, built from w at once:
 * Transpose to [C, F, kH, kW], block F, reverse the kernel offsets by a Gather of whole F%B blocks,
 * block C. The portable form's Gather reverses single floats (10 ms for 512 x 512 x 3 x 3).
 */
function blockedFlippedFilter(w: Value, block: number): Value {
  const [f, c, kh, kw] = b.staticShape(w.shape, 'NCHWc filter') as [number, number, number, number];
  const kk = kh * kw;
  const rows = b.reshape(b.ortCpu.reorderInput(b.transpose(w, [1, 0, 2, 3])), [c, f / block, kk, block]);
  const flipped = kk > 1 ? b.gather(rows, w.graph.ints(Array.from({ length: kk }, (_, i) => kk - 1 - i)), 2) : rows;
  return b.reshape(leadingAxisBlocked(flipped, c, f * kk), [c, f, kh, kw]);
}

/** Whether the blocked Conv pays for its reorders on this Conv (see the measurements above). */
function worthBlocking(x: Value, w: Value, y: Value, block: number): boolean {
  const [cout, cin, kh, kw] = w.shape;
  if (typeof cin !== 'number' || typeof cout !== 'number' || cin % block !== 0 || cout % block !== 0) return false;
  const positions = Number(y.shape[2]) * Number(y.shape[3]);
  // A filter larger than 7x7 is an activation (the weight gradient as one Conv): its reorder never pays.
  const small = Number(kh) <= 7 && Number(kw) <= 7;
  return x.rank === 4 && small && (kh !== 1 || kw !== 1 || positions >= 32 * 32);
}

/** `graph` with its 2-D, ungrouped Convs that are worth it in ORT's NCHWc layout. */
export function lowerConvsToNchwc(graph: Graph, outputs: Record<string, Value>, block: number): Rewritten {
  const blocked = new Map<Value, Value>(); // one ReorderInput per input, shared by the Convs that read it
  return b.rewriteGraph(graph, outputs, (node, [x, w, bias]) => {
    if (!isConv(node) || !x || !w || node.attrs.group !== 1 || !worthBlocking(x, w, node.outputs[0]!, block)) return undefined;
    let xb = blocked.get(x);
    if (!xb) blocked.set(x, (xb = b.ortCpu.reorderInput(x)));
    // Group 1 here (checked above), so FlippedWeight's group is 1 too.
    const flip = w.producer && isFlippedWeight(w.producer) ? w.producer.inputs[0] : undefined;
    const filter = flip ? blockedFlippedFilter(flip, block) : blockedFilter(w, block);
    const y = b.ortCpu.nchwcConv(xb, filter, bias, node.attrs, node.outputs[0]!.shape);
    return [b.ortCpu.reorderOutput(y, w.shape[0] as number)];
  });
}

let probed: Promise<number> | undefined;

/**
 * The NCHWc block of this machine's ORT build (16 with AVX-512, 8 with AVX2), found by running one
 * lowered Conv per candidate against the plain one; 0 where neither matches or the kernels are absent.
 */
export function nchwcBlock(): Promise<number> {
  probed ??= (async () => {
    const g = new b.Graph();
    const [x, w] = [g.input('x', 'float32', [1, 16, 32, 32]), g.input('w', 'float32', [16, 16, 3, 3])];
    const y = b.conv(x, w, undefined, { pads: [1, 1, 1, 1] });
    const wave = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));
    const feeds = { x: new ort.Tensor('float32', wave(16384, 0.37), [1, 16, 32, 32]), w: new ort.Tensor('float32', wave(2304, 0.11), [16, 16, 3, 3]) };
    const run = async (graph: Graph, out: Value): Promise<Float32Array> => {
      const session = await createCpuSession(b.serialize(graph, { outputs: { y: out } }), { threads: 1 });
      try {
        return (await session.run(feeds)).y!.data as Float32Array;
      } finally {
        await session.release();
      }
    };
    const reference = await run(g, y);
    for (const block of [16, 8]) {
      const lowered = lowerConvsToNchwc(g, { y }, block);
      try {
        const got = await run(lowered.graph, lowered.outputs.y!);
        if (got.every((v, i) => Math.abs(v - reference[i]!) < 1e-4)) return block;
      } catch {
        // no NCHWc kernels in this build (e.g. ARM64): try the next block, then none
      }
    }
    return 0;
  })();
  return probed;
}
