// Elementwise ops, activations, Cast and Constant. Integer arithmetic on shapes known at build time
// folds (PyTorch's `x.view(x.size(0), -1)` computes its target shape this way).

import * as b from '../../index.ts';
import type { Value } from '../../index.ts';
import { fromNumbers, isFloat } from '../../dtype.ts';
import { type Known, type NodeContext, allStatic, foldedInts, knownInts } from '../context.ts';
import { dtypeOf } from '../proto.ts';
import type { Converter } from './types.ts';

type Binary = (x: Value, y: Value) => Value;

const ARITHMETIC: Record<string, (a: number, c: number) => number> = {
  Add: (a, c) => a + c,
  Sub: (a, c) => a - c,
  Mul: (a, c) => a * c,
  Div: (a, c) => Math.trunc(a / c), // integer division truncates, as ONNX Runtime's
};

/** Integer arithmetic on two build-time integer tensors (scalars broadcast), or undefined. */
function foldArithmetic(op: string, c: NodeContext): Known | undefined {
  const [x, y] = [foldedInts(c.known(0)), foldedInts(c.known(1))];
  const f = ARITHMETIC[op];
  const [xs, ys] = [x?.values ?? [], y?.values ?? []];
  if (!f || !x || !y || !allStatic(xs) || !allStatic(ys)) return undefined;
  const n = Math.max(xs.length, ys.length);
  if ((xs.length !== n && xs.length !== 1) || (ys.length !== n && ys.length !== 1)) return undefined;
  const at = (v: number[], i: number): number => v[v.length === 1 ? 0 : i]!;
  return knownInts(Array.from({ length: n }, (_, i) => f(at(xs, i), at(ys, i))), x.scalar && y.scalar, x.dtype);
}

/** A binary op; Max, Min (and Sum-like variadic use) fold over all inputs left to right. */
function binary(op: string, emit: Binary, variadic = false): Converter {
  return (c) => {
    if (c.inputCount === 2) {
      const folded = foldArithmetic(op, c);
      if (folded) return [folded];
    }
    if (!variadic && c.inputCount !== 2) c.fail(`takes 2 inputs, got ${c.inputCount}`);
    let y = c.value(0);
    for (let i = 1; i < c.inputCount; i++) y = emit(y, c.value(i));
    return [y];
  };
}

const unary = (emit: (x: Value) => Value): Converter => (c) => [emit(c.value(0))];

function cast(c: NodeContext): readonly (Value | Known)[] {
  const to = dtypeOf(c.int('to', 0), 'Cast target');
  c.int('saturate', 1); // float8 targets only
  const k = c.known(0);
  const ints = foldedInts(k);
  if (ints && !isFloat(to) && to !== 'bool') return [knownInts(ints.values, ints.scalar, to)];
  if (k.kind === 'constant') {
    const data = fromNumbers(to, Array.from(k.tensor.data, Number));
    return [{ kind: 'constant', tensor: { dtype: to, dims: k.tensor.dims, data } }];
  }
  const x = c.value(0);
  return [x.dtype === to ? x : b.cast(x, to)];
}

function constant(c: NodeContext): readonly Known[] {
  const tensor = c.tensor('value');
  const float = c.node.attributes['value_float'] ? c.float('value_float', 0) : undefined;
  const floats = c.floatList('value_floats');
  const int = c.node.attributes['value_int'] ? c.int('value_int', 0) : undefined;
  const ints = c.intList('value_ints');
  if (tensor) return [{ kind: 'constant', tensor }];
  if (float !== undefined) return [{ kind: 'constant', tensor: { dtype: 'float32', dims: [], data: Float32Array.of(float) } }];
  if (floats) return [{ kind: 'constant', tensor: { dtype: 'float32', dims: [floats.length], data: Float32Array.from(floats) } }];
  if (int !== undefined) return [knownInts([int], true)];
  if (ints) return [knownInts(ints)];
  return c.fail('has no value, value_float(s) or value_int(s) attribute (sparse and string constants are not supported)');
}

function clip(c: NodeContext): readonly Value[] {
  return [b.clip(c.value(0), c.scalar(1, 'min'), c.scalar(2, 'max'))];
}

export const ELEMENTWISE: Readonly<Record<string, Converter>> = {
  Add: binary('Add', b.add),
  Sub: binary('Sub', b.sub),
  Mul: binary('Mul', b.mul),
  Div: binary('Div', b.div),
  Pow: binary('Pow', b.pow),
  Max: binary('Max', b.max, true),
  Min: binary('Min', b.min, true),
  Equal: binary('Equal', b.equal),
  Less: binary('Less', b.less),
  Greater: binary('Greater', b.greater),
  And: binary('And', b.and),
  Neg: unary(b.neg),
  Exp: unary(b.exp),
  Log: unary(b.log),
  Sqrt: unary(b.sqrt),
  Abs: unary(b.abs),
  Reciprocal: unary(b.reciprocal),
  Relu: unary(b.relu),
  Sigmoid: unary(b.sigmoid),
  Tanh: unary(b.tanh),
  Sign: unary(b.sign),
  Floor: unary(b.floor),
  Not: unary(b.not),
  HardSwish: unary(b.hardSwish),
  HardSigmoid: (c) => [b.hardSigmoid(c.value(0), c.float('alpha', 0.2), c.float('beta', 0.5))],
  Softmax: (c) => [b.softmax(c.value(0), c.int('axis', -1))],
  LogSoftmax: (c) => [b.logSoftmax(c.value(0), c.int('axis', -1))],
  Where: (c) => [b.where(c.value(0), c.value(1), c.value(2))],
  // Identity passes what it reads on: a constant stays a constant (exporters alias shared initializers).
  Identity: (c) => [c.known(0)],
  Cast: cast,
  Clip: clip,
  Constant: constant,
};
