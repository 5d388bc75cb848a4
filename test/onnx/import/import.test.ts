// The importer on models written the way other exporters write them (fixtures.ts): the imported graph
// computes what ONNX Runtime computes from the file itself, in both opset forms; parameters get
// state-dict names; what it cannot import is an error that names the model, the node and the op or
// attribute, before anything is built.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as b from '../../../src/onnx/index.ts';
import { ImportError, defaultFeatureOutput, importOnnxGraph, planImport, readOnnxModel } from '../../../src/onnx/import/index.ts';
import { createCpuSession, runHost, type HostTensor } from '../../../src/runtime/session.ts';
import { CLASSES, mobileLike, mobileLikeSpec } from './fixtures.ts';
import { type ModelSpec, type NodeSpec, writeModel } from './onnx_writer.ts';

const input = (n: number): HostTensor => ({ dtype: 'float32', dims: [n, 3, 12, 12], data: Float32Array.from({ length: n * 432 }, (_, i) => Math.sin(0.37 * i) + 0.3 * Math.cos(0.05 * i)) });

async function run(bytes: Uint8Array, feeds: Record<string, HostTensor>): Promise<Record<string, Float32Array>> {
  const session = await createCpuSession(bytes, { threads: 1 });
  try {
    const out = await runHost(session, feeds);
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
  } finally {
    await session.release();
  }
}

/** The model imported into a fresh graph (initializers as constants), serialised by our builder. */
function reimported(bytes: Uint8Array, outputs: string[]): Uint8Array {
  const plan = planImport(readOnnxModel(bytes, 'mobile.onnx'), outputs);
  const g = new b.Graph();
  const values = importOnnxGraph(plan, g, { input: g.input('input', 'float32', ['batch', 3, 12, 12]) }, outputs);
  return b.serialize(g, { outputs: Object.fromEntries(outputs.map((o, i) => [o, values[i]!])) });
}

const maxDiff = (a: Float32Array, c: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - c[i]!)), 0);

const withNodes = (spec: ModelSpec, edit: (nodes: NodeSpec[]) => NodeSpec[]): Uint8Array => writeModel({ ...spec, nodes: edit(spec.nodes) });

const importError = (pattern: RegExp) => (err: unknown): boolean => {
  assert.ok(err instanceof ImportError, `an ImportError, got ${String(err)}`);
  assert.match(err.message, pattern);
  return true;
};

describe('ONNX import', () => {
  for (const opset of [14, 18] as const) {
    test(`opset ${opset}: the imported graph computes what ONNX Runtime computes from the file`, async (t) => {
      const bytes = mobileLike(opset);
      const feeds = { input: input(3) };
      const [want, got] = [await run(bytes, feeds), await run(reimported(bytes, ['logits', 'probs']), feeds)];
      assert.equal(got.logits!.length, 3 * CLASSES);
      const diffs = [maxDiff(got.logits!, want.logits!), maxDiff(got.probs!, want.probs!)];
      t.diagnostic(`max |difference|: logits ${diffs[0]!.toExponential(1)}, probabilities ${diffs[1]!.toExponential(1)}`);
      assert.ok(diffs.every((d) => d < 1e-5), `differences ${diffs.join(', ')}`);
    });
  }

  test('parameters: state-dict names kept, folded ones named after their module, each Identity alias a parameter of its own', () => {
    const model = readOnnxModel(mobileLike(18), 'mobile.onnx');
    assert.equal(defaultFeatureOutput(model), 'feat');
    const plan = planImport(model, ['feat']);
    assert.deepEqual(plan.parameters.map((p) => `${p.name}:${p.role}`), [
      'stem.0.weight:weight', 'stem.0.bias:bias', 'se.fc1.weight:weight', 'se.fc1.bias:bias', 'se.fc2.weight:weight', 'se.fc2.bias:bias',
      'head.conv.weight:weight', 'head.conv.bias:bias', 'head.bn.weight:weight', 'head.bn.bias:bias', 'head.bn.running_mean:running_mean', 'head.bn.running_var:running_var',
    ]);
    assert.equal(plan.parameters.find((p) => p.name === 'stem.0.bias')!.tensor, 'onnx::Conv_101');
    // The two aliases of shared.bias start equal and train apart, as the two modules' biases do in PyTorch.
    const [se, head] = ['se.fc2.bias', 'head.conv.bias'].map((n) => plan.parameters.find((p) => p.name === n)!);
    assert.deepEqual(se!.data, head!.data);
    assert.deepEqual(plan.constants, [], 'the only float constant left (six) is a scalar');
    assert.ok(!plan.nodes.some((n) => n.opType === 'Gemm' || n.opType === 'Softmax'), 'the classifier is cut off');
    assert.deepEqual(planImport(model, ['logits']).parameters.slice(-2).map((p) => p.name), ['fc.weight', 'fc.bias']);
  });

  test('an op outside the supported set fails before anything is built, naming the model, the node and the op', () => {
    const spec = mobileLikeSpec(18);
    const erf = withNodes(spec, (nodes) => nodes.map((n) => (n.op === 'HardSwish' ? { ...n, op: 'Erf', name: '/stem/act/Erf' } : n)));
    assert.throws(() => planImport(readOnnxModel(erf, 'mobile.onnx'), ['feat']), importError(/^mobile\.onnx: 1 node\(s\) use an op the importer does not support: \/stem\/act\/Erf \(Erf\)\. Supported: .*HardSwish/));
    const contrib = withNodes(spec, (nodes) => nodes.map((n) => (n.op === 'Relu' ? { ...n, op: 'FusedRelu', domain: 'com.microsoft' } : n)));
    assert.throws(() => planImport(readOnnxModel(contrib, 'mobile.onnx'), ['feat']), importError(/\/se\/relu\/Relu \(com\.microsoft\.FusedRelu\), \/head\/relu\/Relu \(com\.microsoft\.FusedRelu\)/));
    // Past the feature output nothing is imported, so nothing there has to be supported.
    const tail = withNodes(spec, (nodes) => nodes.map((n) => (n.op === 'Softmax' ? { ...n, op: 'Erf' } : n)));
    assert.doesNotThrow(() => planImport(readOnnxModel(tail, 'mobile.onnx'), ['feat']));
  });

  test('an unsupported attribute, or value, names the node and the attribute', () => {
    const spec = mobileLikeSpec(18);
    const build = (bytes: Uint8Array): void => {
      const g = new b.Graph();
      importOnnxGraph(planImport(readOnnxModel(bytes, 'mobile.onnx'), ['feat']), g, { input: g.input('input', 'float32', [2, 3, 12, 12]) }, ['feat']);
    };
    const edit = (op: string, attrs: NodeSpec['attrs']): Uint8Array => withNodes(spec, (nodes) => nodes.map((n) => (n.op === op ? { ...n, attrs: { ...n.attrs, ...attrs } } : n)));
    assert.throws(() => build(edit('MaxPool', { storage_order: { i: 1 } })), importError(/^mobile\.onnx: node \/pool\/MaxPool \(MaxPool\): attribute storage_order=1 is not supported/));
    assert.throws(() => build(edit('HardSwish', { alpha: { f: 0.1 } })), importError(/node \/stem\/stem\.2\/HardSwish \(HardSwish\): attribute alpha is not supported/));
    assert.throws(() => build(edit('AveragePool', { ceil_mode: { i: 1 }, kernel_shape: { ints: [3, 3] } })), importError(/node \/pool\/AveragePool \(AveragePool\): attribute ceil_mode=1 rounds an output size up/));
    assert.throws(() => build(edit('BatchNormalization', { training_mode: { i: 1 } })), importError(/attribute training_mode=1 is not supported \(the model was exported in training mode/));
  });

  test('opsets outside 13-18 are refused, with how to re-export', () => {
    for (const opset of [12, 19]) {
      const bytes = writeModel({ ...mobileLikeSpec(18), opset });
      assert.throws(() => planImport(readOnnxModel(bytes, 'mobile.onnx'), ['feat']), importError(new RegExp(`^mobile\\.onnx uses opset ${opset}; opsets 13-18 are supported: re-export`)));
    }
  });

  test('a value the model does not have, and bytes that are not a model, are errors that say so', () => {
    const model = readOnnxModel(mobileLike(18), 'mobile.onnx');
    assert.throws(() => planImport(model, ['features']), importError(/^mobile\.onnx has no value named features; its last node outputs are .*logits \(Gemm\), probs \(Softmax\)/));
    assert.throws(() => readOnnxModel(new TextEncoder().encode('not a model at all'), 'notes.onnx'), importError(/^notes\.onnx (is not an ONNX model|has no graph)/));
  });
});
