// Opsets 13-18 in, the opset-18 form out (the builder's, src/onnx/serialize.ts). Between 13 and 18 the
// ops imported here changed only in where Reduce* take their axes (an attribute until 17, an input from
// 18; ReduceSum moved at 13) and in Split's num_outputs (18, read by its converter); Squeeze, Unsqueeze,
// Split's sizes and Clip's bounds are inputs since 13 already.

import { OPSET } from '../serialize.ts';
import { ImportError } from './errors.ts';
import type { OnnxModel, OnnxNode } from './proto.ts';

export const OLDEST_OPSET = 13;
export const NEWEST_OPSET = OPSET;

const AXES_MOVED_AT_18 = new Set(['ReduceMean', 'ReduceMax', 'ReduceMin', 'ReduceProd', 'ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceSumSquare']);

/** `model` with its nodes in the opset-18 form; an opset outside 13-18 is an error saying how to re-export. */
export function upgradeToOpset18(model: OnnxModel): OnnxModel {
  const { opset, source } = model;
  if (opset < OLDEST_OPSET || opset > NEWEST_OPSET) {
    throw new ImportError(`${source} uses opset ${opset || '(none)'}; opsets ${OLDEST_OPSET}-${NEWEST_OPSET} are supported: re-export it with opset_version=17 (torch.onnx.export) or convert it (onnx.version_converter)`);
  }
  if (opset >= 18) return model;
  const initializers = new Map(model.initializers);
  const nodes = model.nodes.map((node): OnnxNode => {
    const axes = node.attributes['axes'];
    if (!AXES_MOVED_AT_18.has(node.opType) || axes?.type !== 'ints') return node;
    const name = `${node.name}::axes`;
    initializers.set(name, { dtype: 'int64', dims: [axes.value.length], data: BigInt64Array.from(axes.value, BigInt) });
    const { axes: _moved, ...attributes } = node.attributes;
    return { ...node, inputs: [node.inputs[0] ?? '', name], attributes };
  });
  return { ...model, nodes, initializers };
}
