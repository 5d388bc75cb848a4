// Reading an exported model back in Node: its bytes, its metadata (from metadata_props, the source of
// truth; the sidecar is for the browser) and where its embedding model lies.

import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeModel } from '../onnx/decode.ts';
import { fromMetadataProps, type ModelMetadata } from './metadata.ts';

export interface ExportedModelFiles {
  metadata: ModelMetadata;
  classifier: Uint8Array;
  classifierPath: string;
  embeddingPath: string;
}

export function readModelMetadata(bytes: Uint8Array): ModelMetadata {
  return fromMetadataProps(decodeModel(bytes).metadata);
}

/** Loads `model.onnx` (or a directory holding it) and its metadata. */
export async function readExportedModel(pathOrDir: string): Promise<ExportedModelFiles> {
  const classifierPath = pathOrDir.endsWith('.onnx') ? pathOrDir : join(pathOrDir, 'model.onnx');
  const classifier = new Uint8Array(await readFile(classifierPath));
  const metadata = readModelMetadata(classifier);
  return { metadata, classifier, classifierPath, embeddingPath: join(dirname(classifierPath), metadata.files.embedding) };
}
