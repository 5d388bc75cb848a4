// Checkpoints: one safetensors file holding every tensor of the training state (parameters, buffers,
// optimizer state) with a JSON manifest in its `__metadata__` (config, position, results so far), so a
// checkpoint is a single file that is replaced atomically. Tensor names are PyTorch state-dict names.
// A stage's last checkpoint already holds its summary, so a run killed after it (during the test pass,
// say) resumes to the same results.

import { existsSync, readFileSync } from 'node:fs';
import { validateTrainConfig } from '../config/schema.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import type { HostTensor } from '../runtime/session.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import type { StageSummary } from './run_results.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';

export const CHECKPOINT_FORMAT = 'supcon-onnx-checkpoint/2';

export interface Position {
  stage: StageName;
  /** Epoch in progress (0-based); the stage's epoch count once it has finished. */
  epoch: number;
  /** Next batch of that epoch to run. */
  batch: number;
  /** Steps completed in this stage. */
  step: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  config: TrainConfig;
  position: Position;
  /** Results of the stages already finished, by stage. */
  finished: Partial<Record<StageName, StageSummary>>;
  /** Wall-clock seconds spent in the run so far (resumes add to it). */
  elapsedSeconds: number;
}

export function saveCheckpoint(path: string, state: ReadonlyMap<string, HostTensor>, manifest: CheckpointManifest): void {
  writeFileAtomic(path, encodeSafetensors(state, { manifest: JSON.stringify(manifest) }));
}

export interface Checkpoint {
  state: Map<string, HostTensor>;
  manifest: CheckpointManifest;
}

/** The checkpoint at `path`, or undefined when there is none; a malformed or outdated file is an error naming it. */
export function loadCheckpoint(path: string): Checkpoint | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const { tensors, metadata } = decodeSafetensors(readFileSync(path));
    const manifest = JSON.parse(metadata.manifest ?? 'null') as CheckpointManifest | null;
    if (manifest === null || typeof manifest.format !== 'string') throw new Error('no supcon-onnx manifest in __metadata__');
    if (manifest.format !== CHECKPOINT_FORMAT) throw new Error(`its format ${manifest.format} is from another version (this one reads ${CHECKPOINT_FORMAT}): start the run again`);
    return { state: tensors, manifest: { ...manifest, config: validateTrainConfig(manifest.config) } };
  } catch (err) {
    throw new Error(`checkpoint ${path} is unreadable: ${(err as Error).message}`);
  }
}

/** Saves tensors (e.g. the final weights of a stage) as a plain safetensors file. */
export function saveWeights(path: string, state: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): void {
  writeFileAtomic(path, encodeSafetensors(state, metadata));
}

export function loadWeights(path: string): Map<string, HostTensor> {
  return decodeSafetensors(readFileSync(path)).tensors;
}
