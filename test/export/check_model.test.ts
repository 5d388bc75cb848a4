import { test } from 'node:test';
import assert from 'node:assert/strict';
import onnxProto from 'onnx-proto';
import type { DecodedModel } from '../../src/onnx/decode.ts';
import { ModelCheckError, checkModel, structuralProblems } from '../../src/export/check_model.ts';

const { onnx } = onnxProto;

const tensorInfo = (name: string) => ({ name, elemType: 1, dims: ['batch', 2] as (number | string)[] });

function goodModel(): DecodedModel {
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 18 }],
    nodes: [
      { name: 'relu', opType: 'Relu', domain: '', inputs: ['x'], outputs: ['h'] },
      { name: 'add', opType: 'Add', domain: '', inputs: ['h', 'bias'], outputs: ['y'] },
    ],
    initializers: [{ name: 'bias', dims: [2], dataType: 1 }],
    inputs: [tensorInfo('x')],
    outputs: [tensorInfo('y')],
    metadata: {},
  };
}

test('a well-formed model has no structural problems', () => {
  assert.deepEqual(structuralProblems(goodModel()), []);
});

test('structural checks: undefined inputs, order, duplicates, domains, opset, types', () => {
  const cases: [string, (m: DecodedModel) => void, RegExp][] = [
    ['reads an undefined value', (m) => { m.nodes[1]!.inputs = ['h', 'nope']; }, /reads "nope"/],
    ['reads a value produced later', (m) => { m.nodes.reverse(); }, /node add \(Add\) reads "h"/],
    ['duplicate output', (m) => { m.nodes[1]!.outputs = ['h']; }, /"h" is defined twice/],
    ['contrib op', (m) => { m.nodes[0]!.domain = 'com.microsoft'; }, /domain "com\.microsoft", only ai\.onnx/],
    ['contrib opset import', (m) => { m.opsetImports.push({ domain: 'com.microsoft', version: 1 }); }, /non-standard domain/],
    ['no opset import', (m) => { m.opsetImports = []; }, /no ai\.onnx opset import/],
    ['untyped output', (m) => { m.outputs[0]!.elemType = 0; }, /output "y" has no tensor type/],
    ['shapeless input', (m) => { m.inputs[0]!.dims = undefined; }, /input "x" has no tensor type and shape/],
    ['output never computed', (m) => { m.outputs.push(tensorInfo('z')); }, /"z" is never computed/],
  ];
  for (const [what, breakIt, expected] of cases) {
    const m = goodModel();
    breakIt(m);
    const problems = structuralProblems(m);
    assert.ok(problems.some((p) => expected.test(p)), `${what}: ${problems.join('; ')}`);
  }
});

function encode(opType: string): Uint8Array {
  const vi = (name: string) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 18 }],
    graph: { name: 'g', node: [{ opType, domain: '', input: ['x'], output: ['y'] }], input: [vi('x')], output: [vi('y')] },
  }).finish();
}

test('checkModel loads and runs in onnxruntime-node and -web, and reports what they reject', async () => {
  const report = await checkModel(encode('Relu'));
  assert.deepEqual(report.runtimes, ['node', 'wasm']);
  assert.deepEqual(report.opTypes, ['Relu']);
  await assert.rejects(checkModel(encode('NoSuchOp')), (e: unknown) => {
    assert.ok(e instanceof ModelCheckError);
    assert.ok(e.problems.some((p) => p.startsWith('node:')) && e.problems.some((p) => p.startsWith('wasm:')), e.message);
    return true;
  });
  await assert.rejects(checkModel(Uint8Array.from([0xff, 0xff, 0xff, 0x01])), /not an ONNX ModelProto/);
});
