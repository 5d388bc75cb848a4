// Elementwise ops with numpy broadcasting; numbers are lifted to constants of the other operand's dtype.

import type { Value } from '../graph.ts';
import { type DType, ONNX_DTYPE_CODE } from '../dtype.ts';
import { broadcastShapes, ShapeError } from '../shape.ts';
import { type Operand, emit, graphOf, lift } from './common.ts';

type Binary = 'Add' | 'Sub' | 'Mul' | 'Div' | 'Pow' | 'Max' | 'Min';
type Compare = 'Equal' | 'Less' | 'Greater' | 'And';
type Unary = 'Neg' | 'Exp' | 'Log' | 'Sqrt' | 'Abs' | 'Reciprocal' | 'Relu' | 'Sigmoid' | 'Tanh' | 'Identity' | 'Sign' | 'Floor' | 'Not' | 'HardSwish';

function binary(op: Binary, a: Operand, b: Operand): Value {
  const g = graphOf(a, b);
  const dtype = (typeof a === 'number' ? (b as Value) : a).dtype;
  const x = lift(g, a, dtype);
  const y = lift(g, b, dtype);
  return emit(g, op, [x, y], {}, () => {
    if (x.dtype !== y.dtype) throw new ShapeError(`dtype mismatch ${x.dtype} vs ${y.dtype}`);
    return { dtype, shape: broadcastShapes(x.shape, y.shape) };
  });
}

function compare(op: Compare, a: Operand, b: Operand): Value {
  const g = graphOf(a, b);
  const dtype = (typeof a === 'number' ? (b as Value) : a).dtype;
  const x = lift(g, a, dtype);
  const y = lift(g, b, dtype);
  return emit(g, op, [x, y], {}, () => ({ dtype: 'bool', shape: broadcastShapes(x.shape, y.shape) }));
}

function unary(op: Unary, x: Value): Value {
  return emit(x.graph, op, [x], {}, () => ({ dtype: x.dtype, shape: x.shape }));
}

export const add = (a: Operand, b: Operand): Value => binary('Add', a, b);
export const sub = (a: Operand, b: Operand): Value => binary('Sub', a, b);
export const mul = (a: Operand, b: Operand): Value => binary('Mul', a, b);
export const div = (a: Operand, b: Operand): Value => binary('Div', a, b);
/** x ** p; autodiff supports a constant exponent only. */
export const pow = (x: Value, p: Operand): Value => binary('Pow', x, p);
export const max = (a: Operand, b: Operand): Value => binary('Max', a, b);
export const min = (a: Operand, b: Operand): Value => binary('Min', a, b);

export const equal = (a: Operand, b: Operand): Value => compare('Equal', a, b);
export const less = (a: Operand, b: Operand): Value => compare('Less', a, b);
export const greater = (a: Operand, b: Operand): Value => compare('Greater', a, b);
export const and = (a: Value, b: Value): Value => compare('And', a, b);

export const neg = (x: Value): Value => unary('Neg', x);
export const exp = (x: Value): Value => unary('Exp', x);
export const log = (x: Value): Value => unary('Log', x);
export const sqrt = (x: Value): Value => unary('Sqrt', x);
export const abs = (x: Value): Value => unary('Abs', x);
export const reciprocal = (x: Value): Value => unary('Reciprocal', x);
export const relu = (x: Value): Value => unary('Relu', x);
export const sigmoid = (x: Value): Value => unary('Sigmoid', x);
export const tanh = (x: Value): Value => unary('Tanh', x);
export const identity = (x: Value): Value => unary('Identity', x);
export const sign = (x: Value): Value => unary('Sign', x);
export const floor = (x: Value): Value => unary('Floor', x);
export const not = (x: Value): Value => unary('Not', x);
/** x * max(0, min(1, x / 6 + 1 / 2)): MobileNetV3's h-swish, one pass. */
export const hardSwish = (x: Value): Value => unary('HardSwish', x);

/** max(0, min(1, alpha * x + beta)); ONNX's defaults (PyTorch's Hardsigmoid is alpha 1/6, beta 1/2). */
export function hardSigmoid(x: Value, alpha = 0.2, beta = 0.5): Value {
  return emit(x.graph, 'HardSigmoid', [x], { alpha, beta }, () => ({ dtype: x.dtype, shape: x.shape }));
}

/** The same value, treated as a constant by autodiff (PyTorch's `detach`); an Identity in the file. */
export function stopGradient(x: Value): Value {
  return emit(x.graph, 'Identity', [x], {}, () => ({ dtype: x.dtype, shape: x.shape }), { stopGradient: true });
}

/** cond ? a : b, broadcasting all three. */
export function where(cond: Value, a: Operand, b: Operand): Value {
  const g = cond.graph;
  const dtype = (typeof a === 'number' ? (typeof b === 'number' ? undefined : b) : a)?.dtype ?? 'float32';
  const x = lift(g, a, dtype);
  const y = lift(g, b, dtype);
  return emit(g, 'Where', [cond, x, y], {}, () => ({ dtype, shape: broadcastShapes(cond.shape, x.shape, y.shape) }));
}

export function cast(x: Value, to: DType): Value {
  return emit(x.graph, 'Cast', [x], { to: ONNX_DTYPE_CODE[to] }, () => ({ dtype: to, shape: x.shape }));
}

/** Clamps to [lo, hi]; either bound may be omitted. */
export function clip(x: Value, lo?: number, hi?: number): Value {
  const g = x.graph;
  const inputs = [x, lo === undefined ? undefined : g.scalar(lo, x.dtype), hi === undefined ? undefined : g.scalar(hi, x.dtype)];
  return emit(g, 'Clip', inputs, {}, () => ({ dtype: x.dtype, shape: x.shape }));
}
