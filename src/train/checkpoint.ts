// Checkpoints: one safetensors file holding every tensor of the training state (parameters, buffers,
// optimizer state) with a JSON manifest in its `__metadata__` (config, position, results so far), so a
// checkpoint is a single file that is replaced atomically. Tensor names are PyTorch state-dict names.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HostTensor } from '../runtime/session.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import type { TrainConfig } from './config.ts';
import { decodeSafetensors, encodeSafetensors } from './safetensors.ts';

export type StageName = 'stage1' | 'stage2' | 'baseline';

export interface Position {
  stage: StageName;
  /** Epoch in progress (0-based). */
  epoch: number;
  /** Next batch of that epoch to run. */
  batch: number;
  /** Steps completed in this stage. */
  step: number;
}

export interface CheckpointManifest {
  format: 'supcon-onnx-checkpoint/1';
  config: TrainConfig;
  position: Position;
  /** Results of the stages already finished, by stage. */
  finished: Partial<Record<StageName, StageSummary>>;
  /** Wall-clock seconds spent in the run so far (resumes add to it). */
  elapsedSeconds: number;
}

export interface StageSummary {
  stage: StageName;
  epochs: number;
  steps: number;
  finalLoss: number;
  seconds: number;
  imagesPerSecond: number;
  metrics: Record<string, number>;
}

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

export function saveCheckpoint(runDir: string, state: ReadonlyMap<string, HostTensor>, manifest: CheckpointManifest): void {
  const bytes = encodeSafetensors(state, { manifest: JSON.stringify(manifest) });
  writeFileAtomic(join(runDir, CHECKPOINT_FILE), bytes);
}

export interface Checkpoint {
  state: Map<string, HostTensor>;
  manifest: CheckpointManifest;
}

/** The run's checkpoint, or undefined when it has none; a malformed file is an error naming it. */
export function loadCheckpoint(runDir: string): Checkpoint | undefined {
  const path = join(runDir, CHECKPOINT_FILE);
  if (!existsSync(path)) return undefined;
  try {
    const { tensors, metadata } = decodeSafetensors(readFileSync(path));
    const manifest = JSON.parse(metadata.manifest ?? 'null') as CheckpointManifest | null;
    if (manifest?.format !== 'supcon-onnx-checkpoint/1') throw new Error('no supcon-onnx manifest in __metadata__');
    return { state: tensors, manifest };
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
