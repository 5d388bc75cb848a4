// Imported encoders on the host side: the file of `--encoder onnx:<file>` is read, planned and checked
// (every op supported, the feature output found, one build) once per version of the file, and
// registered for graphs/ (which reads no files). Everything that builds graphs of a run goes through
// stageModel, which loads it; the run asks for the model's input before it opens any data.

import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { ArchitectureConfig } from '../../graphs/config.ts';
import { type OnnxEncoder, isOnnxEncoder, registerOnnxEncoder } from '../../graphs/encoders/onnx.ts';
import { ImportError, readOnnxModel } from '../onnx/import/index.ts';
import type { TrainConfig } from '../config/train_config.ts';

const loaded = new Map<string, { version: string; encoder: OnnxEncoder }>();

/** The imported encoder of `model`, or undefined for the built-in ones. */
export function loadEncoder(model: Pick<ArchitectureConfig, 'encoder' | 'featureOutput'>): OnnxEncoder | undefined {
  const { encoder: name, featureOutput } = model;
  if (!isOnnxEncoder(name)) return undefined;
  const path = name.slice('onnx:'.length);
  let version: string;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new ImportError(`--encoder ${name}: ${path} is not a file`);
    version = `${stat.size}:${stat.mtimeMs}`;
  } catch (err) {
    if (err instanceof ImportError) throw err;
    throw new ImportError(`--encoder ${name}: ${path} does not exist`);
  }
  const key = `${name}\n${featureOutput ?? ''}`;
  const hit = loaded.get(key);
  if (hit?.version === version) return hit.encoder;
  const encoder = registerOnnxEncoder(name, readOnnxModel(new Uint8Array(readFileSync(path)), basename(path)), featureOutput);
  loaded.set(key, { version, encoder });
  return encoder;
}

/** What a run of `config` feeds the model: --image-size, else an imported model's own side (0: the data set's), and its channels. */
export function modelInput(config: TrainConfig): { size: number; channels: 1 | 3 | undefined } {
  const imported = loadEncoder(config.model);
  if (!imported) return { size: config.imageSize, channels: undefined };
  const { channels, size } = imported.input;
  if (channels !== 1 && channels !== 3) throw new ImportError(`${imported.plan.model.source}: its input takes ${channels} channels; images have 1 or 3`);
  return { size: config.imageSize || (size ?? 0), channels };
}
