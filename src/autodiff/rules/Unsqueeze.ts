// y = unsqueeze(x, axes) (axes index the output)
// dx = squeeze(dy, axes)

import * as b from '../../onnx/index.ts';
import { staticInts } from '../helpers.ts';
import { type Rule, outGrad } from '../rule.ts';

export const Unsqueeze: Rule<'Unsqueeze'> = (node, dy) => [b.squeeze(outGrad(dy), staticInts(node.inputs[1], 'Unsqueeze axes')), undefined];
