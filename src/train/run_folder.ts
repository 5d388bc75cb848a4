// A run's folder (artifacts/runs/<name>/): the only module that knows its file names, and the only way
// the trainer, export, report, eval, compare and the main job read a run back.

import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EMBEDDING_FILE, MODEL_FILE, SIDECAR_FILE } from '../export/export_model.ts';
import type { HostTensor } from '../runtime/session.ts';
import { TEMP_MARKER, writeFileAtomic } from '../util/atomic_write.ts';
import type { TrainConfig } from '../config/train_config.ts';
import { type Checkpoint, type CheckpointManifest, loadCheckpoint, loadWeights, saveCheckpoint, saveWeights } from './checkpoint.ts';
import { type RunResults, parseResults } from './run_results.ts';

export const RUN_FILES = {
  /** The resolved configuration. */
  config: 'config.json',
  /** One JSON line per step and per epoch. */
  metrics: 'metrics.jsonl',
  /** Everything needed to resume; replaced atomically. */
  checkpoint: 'checkpoint.safetensors',
  /** Encoder + head after stage 1. */
  stage1: 'stage1.safetensors',
  /** The final model's parameters and buffers. */
  final: 'final.safetensors',
  /** Test-subset embeddings for the report's 2-D maps. */
  embeddings: 'embeddings.safetensors',
  results: 'results.json',
  report: 'report',
  /** What `eval` logs. */
  evalLog: 'eval.jsonl',
  model: MODEL_FILE,
  embeddingModel: EMBEDDING_FILE,
  sidecar: SIDECAR_FILE,
} as const;

type RunFile = keyof typeof RUN_FILES;

export function defaultRunDir(name: string): string {
  return resolve('artifacts', 'runs', name);
}

/** True when process `pid` is alive (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class RunFolder {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = resolve(dir);
  }

  path(file: RunFile): string {
    return join(this.dir, RUN_FILES[file]);
  }

  has(file: RunFile): boolean {
    return existsSync(this.path(file));
  }

  /** Finished: results.json exists. */
  get finished(): boolean {
    return this.has('results');
  }

  checkpoint(): Checkpoint | undefined {
    return loadCheckpoint(this.path('checkpoint'));
  }

  saveCheckpoint(state: ReadonlyMap<string, HostTensor>, manifest: CheckpointManifest): void {
    saveCheckpoint(this.path('checkpoint'), state, manifest);
  }

  /** The configuration a checkpointed run was started with. */
  storedConfig(): TrainConfig {
    const checkpoint = this.checkpoint();
    if (!checkpoint) throw new Error(`nothing to resume: ${this.dir} has no ${RUN_FILES.checkpoint}`);
    return checkpoint.manifest.config;
  }

  writeConfig(config: TrainConfig): void {
    writeFileAtomic(this.path('config'), `${JSON.stringify(config, null, 2)}\n`);
  }

  readResults(): RunResults {
    const path = this.path('results');
    if (!existsSync(path)) throw new Error(`${this.dir} is not a finished run: it has no ${RUN_FILES.results}`);
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`${path} is not JSON: ${(err as Error).message}`);
    }
    return parseResults(json, path);
  }

  writeResults(results: RunResults): void {
    writeFileAtomic(this.path('results'), `${JSON.stringify(results, null, 2)}\n`);
  }

  weights(file: 'stage1' | 'final' | 'embeddings'): Map<string, HostTensor> {
    const path = this.path(file);
    if (!existsSync(path)) throw new Error(`${this.dir} has no ${RUN_FILES[file]}`);
    return loadWeights(path);
  }

  saveWeights(file: 'stage1' | 'final' | 'embeddings', state: ReadonlyMap<string, HostTensor>, metadata: Record<string, string> = {}): void {
    saveWeights(this.path(file), state, metadata);
  }

  /** Removes temporary files left by writers that were killed (their process is gone); returns their names. */
  removeStaleTemporaries(): string[] {
    if (!existsSync(this.dir)) return [];
    const stale = readdirSync(this.dir).filter((name) => {
      const pid = Number(name.slice(name.lastIndexOf(TEMP_MARKER) + TEMP_MARKER.length));
      return name.includes(TEMP_MARKER) && Number.isInteger(pid) && pid > 0 && !alive(pid);
    });
    for (const name of stale) rmSync(join(this.dir, name), { force: true });
    return stale;
  }
}
