// ONNX import: ModelProto bytes -> builder graph ops (see import_graph.ts).
//
//   const model = readOnnxModel(bytes, 'resnet18.onnx');
//   const plan = planImport(model, ['logits']);             // errors for unsupported ops come here
//   const [logits] = importOnnxGraph(plan, graph, { input: images }, ['logits'], hooks);

export { readOnnxModel, type OnnxModel, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from './proto.ts';
export { ImportError } from './errors.ts';
export { OLDEST_OPSET, NEWEST_OPSET } from './opset.ts';
export { SUPPORTED_OPS } from './convert/index.ts';
export type { BatchNormHook, BatchNormInputs } from './context.ts';
export { type ImportHooks, type ImportPlan, type ParameterRole, type ParameterSlot, defaultFeatureOutput, importOnnxGraph, planImport } from './import_graph.ts';
