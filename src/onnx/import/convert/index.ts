// Every op the importer translates, by ONNX op type (ai.onnx domain, opset-18 form).

import { ELEMENTWISE } from './elementwise.ts';
import { NN } from './nn.ts';
import { SHAPE } from './shape.ts';
import type { Converter } from './types.ts';

export type { Converter };

export const CONVERTERS: Readonly<Record<string, Converter>> = { ...ELEMENTWISE, ...NN, ...SHAPE };

export const SUPPORTED_OPS: readonly string[] = Object.keys(CONVERTERS).sort();
