// State-dict names for imported parameters. An initializer already named like a state-dict entry
// (`fc.weight`, `features.1.block.1.fc1.bias`) keeps its name; one the exporter named itself (PyTorch
// names the Conv weights it folded BatchNorm into `onnx::Conv_193`) is named after the module of the
// node that reads it: `/layer1/layer1.0/conv1/Conv` reads `layer1.0.conv1.weight` and `.bias`.

import type { OnnxNode } from './proto.ts';

const STATE_DICT_NAME = /^[A-Za-z_]\w*(\.\w+)*$/;

/**
 * The module path in a node name: PyTorch writes one segment per module scope, a Sequential's child
 * as `<parent>.<index>` (`/features/features.1/block/block.1/fc1/Conv` -> `features.1.block.1.fc1`);
 * our own graphs write `encoder.layer1.0.conv1/Conv_3`. '' when the name has no module part.
 */
export function modulePath(nodeName: string): string {
  const segments = nodeName.split('/').filter((s) => s !== '').slice(0, -1);
  const parts: string[] = [];
  let previous = '';
  for (const segment of segments) {
    if (previous !== '' && segment.startsWith(`${previous}.`)) parts[parts.length - 1] = segment;
    else parts.push(segment);
    previous = segment;
  }
  const path = parts.join('.');
  return STATE_DICT_NAME.test(path) ? path : '';
}

/** The name of the parameter `tensor`, read by `node` in the role `role` ('weight', 'running_mean', ...). */
export function parameterName(tensor: string, node: OnnxNode, role: string): string {
  if (STATE_DICT_NAME.test(tensor)) return tensor;
  const module = modulePath(node.name);
  return module ? `${module}.${role}` : tensor.replace(/\W+/g, '_').replace(/^_+|_+$/g, '') || role;
}

/** `name`, or `name_2`, `name_3` ... the first that `taken` does not hold. */
export function uniqueName(name: string, taken: ReadonlySet<string>): string {
  if (!taken.has(name)) return name;
  let i = 2;
  while (taken.has(`${name}_${i}`)) i++;
  return `${name}_${i}`;
}
