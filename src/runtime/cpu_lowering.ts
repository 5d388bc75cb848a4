// The CPU execution provider's lowering pass: every Conv whose channel counts are multiples of ONNX
// Runtime's NCHWc block runs as its blocked-layout Conv (com.microsoft.nchwc, direct-convolution
// kernels for AVX2 and AVX-512), between a ReorderInput of x and a ReorderOutput of y, with the filter,
// fed at run time, reordered in the graph. ORT's own NCHWc transform only takes Convs whose weights are
// constant initializers, so it never fires in a training step. The portable graph (build-graph, other
// execution providers, exported models) keeps plain Conv; test/runtime/cpu_lowering.test.ts shows the
// lowered step equals it over several steps. Measured on a 2-core Xeon (AVX-512, block 16), reorders
// included: 3x3 Convs 1.1-1.7x faster (64 ch at 32x32: 125 -> 150 GFLOP/s; 256 ch at 8x8: 133 -> 226),
// the ResNet-18 stage-1 step 7.5 -> 5.9 s and the small CNN's 1.26 -> 1.06 s (`npm run bench -- --no-lowering`).

import * as b from '../onnx/index.ts';
import type { Graph, Node, Rewritten, Value } from '../onnx/index.ts';
import { createCpuSession, ort } from './session.ts';

const isConv = (node: Node): node is Node<'Conv'> => node.op === 'Conv';

/** w [O, C, kH, kW] in the blocked filter order [O/B, C/B, kH, kW, C%B, O%B] (same declared shape). */
function blockedFilter(w: Value, block: number): Value {
  const [o, c, kh, kw] = b.staticShape(w.shape, 'NCHWc filter') as [number, number, number, number];
  const split = b.reshape(w, [o / block, block, c / block, block, kh, kw]);
  return b.reshape(b.transpose(split, [0, 2, 4, 5, 3, 1]), [o, c, kh, kw]);
}

/** `graph` with its 2-D, ungrouped Convs on channel counts divisible by `block` in ORT's NCHWc layout. */
export function lowerConvsToNchwc(graph: Graph, outputs: Record<string, Value>, block: number): Rewritten {
  const blocked = new Map<Value, Value>(); // one ReorderInput per input, shared by the Convs that read it
  return b.rewriteGraph(graph, outputs, (node, [x, w, bias]) => {
    if (!isConv(node) || !x || !w || x.rank !== 4 || node.attrs.group !== 1) return undefined;
    const [cout, cin] = [w.shape[0], w.shape[1]];
    if (typeof cin !== 'number' || typeof cout !== 'number' || cin % block !== 0 || cout % block !== 0) return undefined;
    let xb = blocked.get(x);
    if (!xb) blocked.set(x, (xb = b.ortCpu.reorderInput(x)));
    const y = b.ortCpu.nchwcConv(xb, blockedFilter(w, block), bias, node.attrs, node.outputs[0]!.shape);
    return [b.ortCpu.reorderOutput(y, cout)];
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
    const [x, w] = [g.input('x', 'float32', [1, 16, 5, 5]), g.input('w', 'float32', [16, 16, 3, 3])];
    const y = b.conv(x, w, undefined, { pads: [1, 1, 1, 1] });
    const wave = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * k));
    const feeds = { x: new ort.Tensor('float32', wave(400, 0.37), [1, 16, 5, 5]), w: new ort.Tensor('float32', wave(2304, 0.11), [16, 16, 3, 3]) };
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
