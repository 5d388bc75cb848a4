import type { Value } from '../../graph.ts';
import type { Known, NodeContext } from '../context.ts';

/** Translates one ONNX node into builder ops: one result per output of the node. */
export type Converter = (c: NodeContext) => readonly (Value | Known)[];
