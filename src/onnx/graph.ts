// The graph under construction: values are objects with dtype and shape, nodes record typed ops,
// names come late from a scope stack (`encoder.layer1.0.conv1.weight`, PyTorch state-dict style).

import { type DType, type HostArray, fromNumbers } from './dtype.ts';
import type { OpAttrs, OpType } from './op_types.ts';
import { type Dim, type Shape, ShapeError, formatShape } from './shape.ts';

export class GraphError extends Error {
  override name = 'GraphError';
}

export class Value {
  constructor(
    readonly graph: Graph,
    readonly id: number,
    readonly dtype: DType,
    readonly shape: readonly Dim[],
    /** The node that computes this value; absent for graph inputs and constants. */
    readonly producer?: Node,
    /** Set for graph inputs and named constants; other values are named at serialisation. */
    public name?: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  toString(): string {
    return `${this.name ?? `%${this.id}`}: ${this.dtype}${formatShape(this.shape)}`;
  }
}

export interface Node<P extends OpType = OpType> {
  readonly op: P;
  readonly name: string;
  readonly inputs: readonly (Value | undefined)[];
  readonly outputs: readonly Value[];
  readonly attrs: OpAttrs[P];
  /** An Identity that autodiff treats as constant (PyTorch's `detach`). */
  readonly stopGradient?: boolean;
  /** A composite op's portable expansion into standard ops (ops/composite.ts), given its inputs in the graph it is emitted into. */
  readonly expand?: Expansion;
}

/** Emits a composite op's ops into the graph of `inputs` and returns its outputs. */
export type Expansion = (inputs: readonly (Value | undefined)[]) => readonly Value[];

export interface Constant {
  readonly value: Value;
  readonly data: HostArray;
}

export interface OutputSpec {
  dtype: DType;
  shape: Shape;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Value[] = [];
  readonly constants = new Map<Value, Constant>();
  private readonly scopes: string[] = [];
  private readonly scalarCache = new Map<string, Value>();
  private readonly opCounters = new Map<string, number>();
  private nextId = 0;

  /** Runs `build` with `name` pushed on the scope stack; names made inside are prefixed with it. */
  scope<T>(name: string | number, build: () => T): T {
    this.scopes.push(String(name));
    try {
      return build();
    } finally {
      this.scopes.pop();
    }
  }

  /** The dotted scope path for a local name: `encoder.layer1.0.` + `conv1.weight`. */
  qualify(local: string): string {
    return [...this.scopes, local].join('.');
  }

  get scopePath(): string {
    return this.scopes.join('.');
  }

  /** A graph input (data, parameters, optimizer state, hyper-parameters fed per step). */
  input(local: string, dtype: DType, shape: Shape): Value {
    const name = this.qualify(local);
    if (this.inputs.some((v) => v.name === name)) throw new GraphError(`duplicate graph input ${name}`);
    const value = new Value(this, this.nextId++, dtype, shape, undefined, name);
    this.inputs.push(value);
    return value;
  }

  /** A constant tensor, stored as an initializer. */
  constant(data: HostArray, dtype: DType, shape: readonly number[], local?: string): Value {
    const count = shape.reduce((a, b) => a * b, 1);
    if (data.length !== count) {
      throw new GraphError(`constant ${local ?? ''} has ${data.length} elements, shape ${formatShape(shape)} needs ${count}`);
    }
    const name = local === undefined ? undefined : this.qualify(local);
    const value = new Value(this, this.nextId++, dtype, shape, undefined, name);
    this.constants.set(value, { value, data });
    return value;
  }

  /** A scalar (rank 0) constant, cached by dtype and value so that `1.0` is emitted once. */
  scalar(x: number, dtype: DType = 'float32'): Value {
    const key = `${dtype}:${Object.is(x, -0) ? '-0' : x}`;
    let value = this.scalarCache.get(key);
    if (!value) {
      value = this.constant(fromNumbers(dtype, [x]), dtype, []);
      this.scalarCache.set(key, value);
    }
    return value;
  }

  /** A rank-1 int64 constant (axes, shapes, slice bounds). */
  ints(values: readonly number[]): Value {
    return this.constant(fromNumbers('int64', values), 'int64', [values.length]);
  }

  /** Static integer contents of a constant input, or undefined when it is computed at run time. */
  constInts(value: Value | undefined): number[] | undefined {
    const c = value && this.constants.get(value);
    return c ? Array.from(c.data, Number) : undefined;
  }

  /** Records a node; `outputs` are the shapes computed by the op's constructor; `name` overrides the scoped one (copies). */
  addNode<P extends OpType>(
    op: P,
    inputs: readonly (Value | undefined)[],
    attrs: OpAttrs[P],
    outputs: readonly OutputSpec[],
    options: { stopGradient?: boolean; name?: string; expand?: Expansion } = {},
  ): Value[] {
    for (const v of inputs) {
      if (v && v.graph !== this) throw new GraphError(`${op} at ${this.where()}: input ${v} belongs to another graph`);
    }
    const count = (this.opCounters.get(op) ?? 0) + 1;
    this.opCounters.set(op, count);
    const name = options.name ?? `${this.scopePath ? `${this.scopePath}/` : ''}${op}_${count}`;
    const values: Value[] = [];
    const node: Node<P> = {
      op, name, inputs, outputs: values, attrs,
      ...(options.stopGradient ? { stopGradient: true } : {}),
      ...(options.expand ? { expand: options.expand } : {}),
    };
    for (const spec of outputs) values.push(new Value(this, this.nextId++, spec.dtype, spec.shape, node));
    this.nodes.push(node);
    return values;
  }

  /** Where construction currently is, for error messages. */
  where(): string {
    return this.scopePath || '<root>';
  }
}

/** Wraps shape inference so that every error names the op and the scope it was built in. */
export function inferOrThrow<T>(graph: Graph, op: string, infer: () => T): T {
  try {
    return infer();
  } catch (err) {
    if (err instanceof ShapeError || err instanceof GraphError) {
      throw new GraphError(`${op} at ${graph.where()}: ${err.message}`);
    }
    throw err;
  }
}
