// What a converter sees of the node it translates: its inputs as builder values or as data known at
// build time, and its attributes, each read with a default. An attribute the converter never reads is
// one it does not support, and the driver says so (converters read every attribute they accept).

import { type DType, fromNumbers, isFloat } from '../dtype.ts';
import type { Graph, Value } from '../graph.ts';
import type { Dim } from '../shape.ts';
import { ImportError } from './errors.ts';
import type { OnnxAttribute, OnnxNode, OnnxTensor } from './proto.ts';

/**
 * An ONNX tensor during import: a value of the builder graph, data known at build time (initializers,
 * Constant nodes), or integers that shape arithmetic folded (Shape -> Gather -> Unsqueeze -> Concat),
 * where a symbolic batch dim stays a name.
 */
export type Known =
  | { kind: 'value'; value: Value }
  | { kind: 'constant'; tensor: OnnxTensor }
  | { kind: 'ints'; dtype: DType; values: Dim[]; scalar: boolean };

export const known = (value: Value): Known => ({ kind: 'value', value });

export function knownInts(values: readonly Dim[], scalar = false, dtype: DType = 'int64'): Known {
  return { kind: 'ints', dtype, values: [...values], scalar };
}

/** The integers a known tensor holds at build time (rank 0 or 1), or undefined. */
export function foldedInts(k: Known): { values: Dim[]; scalar: boolean; dtype: DType } | undefined {
  if (k.kind === 'ints') return k;
  if (k.kind === 'constant' && !isFloat(k.tensor.dtype) && k.tensor.dims.length <= 1) {
    return { values: Array.from(k.tensor.data, Number), scalar: k.tensor.dims.length === 0, dtype: k.tensor.dtype };
  }
  return undefined;
}

export const allStatic = (values: readonly Dim[]): values is number[] => values.every((v) => typeof v === 'number');

/** Inference-form BatchNormalization as the caller wants it run (training mode: batch statistics). */
export type BatchNormHook = (x: Value, inputs: BatchNormInputs, attrs: { epsilon: number; momentum: number }) => Value;

export interface BatchNormInputs {
  scale: Value;
  bias: Value;
  mean: Value;
  variance: Value;
}

/** What every node of one import shares. */
export interface ImportEnv {
  graph: Graph;
  batchNorm: BatchNormHook;
  /** Builder values of known tensors, made once each. */
  materialized: WeakMap<Known, Value>;
}

/** A known tensor as a builder value: data known at build time becomes a constant, once per tensor. */
export function materialize(k: Known, env: ImportEnv, what: string): Value {
  if (k.kind === 'value') return k.value;
  let v = env.materialized.get(k);
  if (!v) {
    if (k.kind === 'constant') {
      v = env.graph.constant(k.tensor.data, k.tensor.dtype, k.tensor.dims);
    } else {
      if (!allStatic(k.values)) throw new ImportError(`${what} = [${k.values.join(', ')}] holds symbolic dims, which only Reshape, Expand and shape arithmetic may read`);
      v = env.graph.constant(fromNumbers(k.dtype, k.values), k.dtype, k.scalar ? [] : [k.values.length]);
    }
    env.materialized.set(k, v);
  }
  return v;
}

export class NodeContext {
  private readonly read = new Set<string>();
  readonly graph: Graph;

  constructor(
    readonly node: OnnxNode,
    readonly env: ImportEnv,
    private readonly knowns: readonly (Known | undefined)[],
  ) {
    this.graph = env.graph;
  }

  fail(message: string): never {
    throw new ImportError(message);
  }

  /** Whether input `i` is given (optional inputs may be absent or ''). */
  has(i: number): boolean {
    return this.knowns[i] !== undefined;
  }

  get inputCount(): number {
    return this.knowns.length;
  }

  known(i: number): Known {
    const k = this.knowns[i];
    if (!k) this.fail(`input ${i} is missing`);
    return k;
  }

  /** Input `i` as a builder value: known data becomes a constant of the graph (once per tensor). */
  value(i: number): Value {
    return materialize(this.known(i), this.env, `input ${i}`);
  }

  optionalValue(i: number): Value | undefined {
    return this.has(i) ? this.value(i) : undefined;
  }

  /** Input `i` as integers known at build time (axes, shapes, slice bounds), symbolic dims included. */
  dims(i: number, what: string): Dim[] {
    const ints = foldedInts(this.known(i));
    if (!ints) this.fail(`${what} (input ${i}) must be known when the graph is built, not computed at run time`);
    return ints.values;
  }

  /** Input `i` as static integers. */
  ints(i: number, what: string): number[] {
    const values = this.dims(i, what);
    if (!allStatic(values)) this.fail(`${what} [${values.join(', ')}] must be static, but it depends on the symbolic dim(s) ${values.filter((v) => typeof v === 'string').join(', ')}`);
    return values;
  }

  /** Input `i` as one number known at build time (Clip's bounds, Pad's value), or undefined when absent. */
  scalar(i: number, what: string): number | undefined {
    if (!this.has(i)) return undefined;
    const k = this.known(i);
    const data = k.kind === 'constant' ? Array.from(k.tensor.data, Number) : k.kind === 'ints' && allStatic(k.values) ? k.values : undefined;
    if (!data || data.length !== 1) this.fail(`${what} (input ${i}) must be a single number known when the graph is built`);
    return data[0]!;
  }

  private attribute(name: string, type: OnnxAttribute['type']): OnnxAttribute | undefined {
    this.read.add(name);
    const a = this.node.attributes[name];
    if (a && a.type !== type) this.fail(`attribute ${name} is a${a.type === 'int' || a.type === 'ints' ? 'n' : ''} ${a.type}, ${type} expected`);
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.attribute(name, 'int');
    return a?.type === 'int' ? a.value : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.attribute(name, 'float');
    return a?.type === 'float' ? a.value : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.attribute(name, 'string');
    return a?.type === 'string' ? a.value : fallback;
  }

  intList(name: string): number[] | undefined {
    const a = this.attribute(name, 'ints');
    return a?.type === 'ints' ? a.value : undefined;
  }

  floatList(name: string): number[] | undefined {
    const a = this.attribute(name, 'floats');
    return a?.type === 'floats' ? a.value : undefined;
  }

  tensor(name: string): OnnxTensor | undefined {
    const a = this.attribute(name, 'tensor');
    return a?.type === 'tensor' ? a.value : undefined;
  }

  /** An attribute that must keep one value (its default), with why in the error. */
  expect(name: string, fallback: number, why: string): void {
    const v = this.int(name, fallback);
    if (v !== fallback) this.fail(`attribute ${name}=${v} is not supported (${why})`);
  }

  /** Attributes the node has that its converter did not read. */
  unread(): string[] {
    return Object.keys(this.node.attributes).filter((a) => !this.read.has(a));
  }
}
