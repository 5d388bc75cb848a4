// Export: trained weights -> one inference model (`image` -> `logits`, `probabilities`), one embedding
// model (`image` -> `embedding`), both with the weights frozen into initializers and the metadata in
// metadata_props, plus the `model.json` sidecar. Only ai.onnx ops; checked before anything is written.

import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic_write.ts';
import { EMBEDDING_FILE, MODEL_FILE, SIDECAR_FILE, buildExportedModels, type ExportSpec, type ExportedModels } from './build_models.ts';
import { checkModel, type CheckOptions, type CheckReport } from './check_model.ts';
import { sidecarJson } from './metadata.ts';

export {
  EMBEDDING_FILE, MODEL_FILE, SIDECAR_FILE, ExportError, buildExportedModels, encoderFromConfig, specFromModelConfig,
  type ExportSpec, type ExportedModels,
} from './build_models.ts';

export interface ExportResult extends ExportedModels {
  paths: { classifier: string; embedding: string; sidecar: string };
  checks: { classifier: CheckReport; embedding: CheckReport };
}

/**
 * Builds, checks (structure; + onnxruntime-node and onnxruntime-web WASM unless `check` is false) and
 * writes `model.onnx`, `model.embed.onnx` and `model.json` into `outDir`.
 */
export async function exportModel(spec: ExportSpec & { outDir: string; check?: CheckOptions | false }): Promise<ExportResult> {
  const models = buildExportedModels(spec);
  // The structural check (ai.onnx only, every input defined, typed inputs and outputs) always runs;
  // `check: false` skips only loading the models in onnxruntime-node and -web.
  const checkOptions = spec.check === false ? { runtimes: [] } : spec.check;
  const checks = { classifier: await checkModel(models.classifier, checkOptions), embedding: await checkModel(models.embedding, checkOptions) };
  const paths = { classifier: join(spec.outDir, MODEL_FILE), embedding: join(spec.outDir, EMBEDDING_FILE), sidecar: join(spec.outDir, SIDECAR_FILE) };
  writeFileAtomic(paths.classifier, models.classifier);
  writeFileAtomic(paths.embedding, models.embedding);
  writeFileAtomic(paths.sidecar, sidecarJson(models.metadata));
  return { ...models, paths, checks };
}
