// recomputeInBackward: a ReLU after a batch norm, rebuilt in the backward from the centred input, gives
// the gradients of keeping it, and the backward then reads the forward's copy nowhere (so the runtime
// frees it after the forward); in the ResNets, every ReLU straight after a conv's batch norm inside a
// block (and the CIFAR stem's) is rebuilt, the block outputs are kept.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import type { Graph, Value } from '../../src/onnx/index.ts';
import { batchNormTraining, grad, recomputeInBackward } from '../../src/autodiff/index.ts';
import { defaultModelConfig } from '../../graphs/config.ts';
import { buildStage1 } from '../../graphs/stages.ts';
import { assertClose, gradFunction } from './grad_values.ts';

const conv3 = { pads: [1, 1, 1, 1] };

/** conv -> batch norm -> ReLU -> conv, the ReLU rebuilt in the backward or kept. */
function block(rebuilt: boolean) {
  return (x: Value, w1: Value, gamma: Value, beta: Value, w2: Value): Value => {
    const bn = batchNormTraining(b.conv(x, w1, undefined, conv3), gamma, beta, 1e-5);
    const h = b.relu(bn.y);
    if (rebuilt) recomputeInBackward(h, () => b.relu(bn.rebuild()));
    const y = b.conv(h, w2, undefined, conv3);
    return b.mul(y, y); // a loss whose gradient differs per element
  };
}

const shapes = [[4, 3, 6, 6], [5, 3, 3, 3], [5], [5], [2, 5, 3, 3]];
const wave = (n: number, k: number): number[] => Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + k) * (1 + (i % 3)) / 2);

test('recomputeInBackward: a ReLU rebuilt from the batch norm gives the gradients of keeping it', async () => {
  const inputs = shapes.map((shape) => ({ shape, dtype: 'float32' as const }));
  const fed = shapes.map((dims, k) => ({ dims, data: wave(dims.reduce((a, d) => a * d, 1), k) }));
  const [kept, rebuilt] = await Promise.all([gradFunction(inputs, block(false)), gradFunction(inputs, block(true))]);
  const [a, r] = [await kept(fed), await rebuilt(fed)];
  assertClose(r.loss, a.loss, 1e-6, 'loss');
  r.grads.forEach((g, i) => assertClose(g, a.grads[i]!, 1e-5, `d loss / d input ${i}`));
  // Some ReLU units are off, so the mask matters.
  const h = await gradFunction(inputs.slice(0, 4), (x, w1, gamma, beta) => b.relu(batchNormTraining(b.conv(x!, w1!, undefined, conv3), gamma!, beta!, 1e-5).y));
  assert.ok((await h(fed.slice(0, 4))).grads[0]!.some((v) => v !== 0));
});

/** The nodes of the backward (built in grad's scope) that read `v`. */
const backwardReaders = (g: Graph, v: Value) => g.nodes.filter((n) => n.name.startsWith('grad') && n.inputs.includes(v));

test('recomputeInBackward: the backward reads the rebuilt value, never the forward copy', () => {
  const g = new b.Graph();
  const xs = shapes.map((s, i) => g.input(`x${i}`, 'float32', s));
  const loss = b.reduceSum(block(true)(...(xs as [Value, Value, Value, Value, Value])), []);
  grad(loss, xs);
  const h = g.nodes.find((n) => n.op === 'Relu' && !n.name.startsWith('grad'))!.outputs[0]!;
  assert.deepEqual(backwardReaders(g, h), []);
  assert.equal(g.nodes.filter((n) => n.op === 'Relu' && n.name.startsWith('grad')).length, 1, 'one rebuilt ReLU');
});

test('ResNet-18 stage-1 step: the backward rebuilds the ReLUs after bn1 (8 blocks and the CIFAR stem), keeps the 8 block outputs', () => {
  const built = buildStage1(defaultModelConfig({ encoder: 'resnet18', stem: 'cifar', inputSize: 32, batchSize: 4 }));
  const g = built.graph;
  const forwardRelus = g.nodes.filter((n) => n.op === 'Relu' && n.name.startsWith('encoder.'));
  const [afterBn1, others] = [forwardRelus.filter((n) => n.name.includes('.bn1/')), forwardRelus.filter((n) => !n.name.includes('.bn1/'))];
  assert.equal(afterBn1.length, 9);
  assert.equal(others.length, 8);
  for (const n of afterBn1) assert.deepEqual(backwardReaders(g, n.outputs[0]!).map((r) => r.name), [], n.name);
  for (const n of others) assert.ok(backwardReaders(g, n.outputs[0]!).length > 0, n.name);
});
