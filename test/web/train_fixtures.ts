// Fixtures of the Train view's tests: the model a run exports (small CNN of width 4 on 16x16 RGB, its
// model.json config the run's TrainConfig) and generated photos of 3 visually distinct classes, written
// as PNG files at the model's input side.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { resolveTrainConfig } from '../../src/config/resolve.ts';
import { Rng } from '../../src/data/rng.ts';
import { exportModel, specFromModelConfig, type ExportResult } from '../../src/export/export_model.ts';
import type { Json } from '../../src/export/metadata.ts';
import { buildLogits } from '../../graphs/stages.ts';
import { initialState } from '../../src/runtime/init.ts';
import { stageModel } from '../../src/train/stage_model.ts';

export const SIZE = 16;

const RUN_CONFIG = resolveTrainConfig([{ source: 'fixture', values: { name: 'base-run', dataset: 'generated', imageSize: SIZE, model: { width: 4 } } }]);
const RUN_SHAPE = { size: SIZE, channels: 3 as const, classes: ['a', 'b', 'c', 'd', 'e'] };

/** The base run's weights: the seeded initial values of its model (encoder and a 5-class classifier). */
export function runWeights(): Map<string, Float32Array> {
  const weights = new Map<string, Float32Array>();
  for (const [name, t] of initialState(buildLogits(stageModel(RUN_CONFIG, RUN_SHAPE, 'eval')).params.list, [], 3)) weights.set(name, t.data as Float32Array);
  return weights;
}

/** What `train` + `export` leave for a small CNN run (width 4) on 16x16 RGB images of 5 classes; its model.json config is the run's TrainConfig. */
export async function exportRunModel(dir: string): Promise<ExportResult> {
  const config = RUN_CONFIG;
  const shape = RUN_SHAPE;
  const model = stageModel(config, shape, 'eval');
  const weights = runWeights();
  return exportModel({
    ...specFromModelConfig(model),
    weights,
    classes: shape.classes,
    mean: [0.5, 0.5, 0.5],
    std: [0.25, 0.25, 0.25],
    modelName: 'base-run',
    config: JSON.parse(JSON.stringify(config)) as Json,
    outDir: dir,
    check: false,
  });
}

export const PHOTO_CLASSES = ['stripes', 'disc', 'checks'] as const;
type PhotoClass = (typeof PHOTO_CLASSES)[number];

/** One generated photo, [SIZE, SIZE, 3] uint8: warm stripes, a green disc on dark ground, or blue checks; position, phase, shade and noise random. */
export function photoPixels(kind: PhotoClass, rng: Rng): Uint8Array {
  const px = new Uint8Array(SIZE * SIZE * 3);
  const phase = rng.int(4);
  const shade = rng.uniform(0.7, 1);
  const [cx, cy, r] = [rng.uniform(5, 11), rng.uniform(5, 11), rng.uniform(3, 6)];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let rgb: [number, number, number];
      if (kind === 'stripes') rgb = ((y + phase) >> 1) % 2 === 0 ? [240, 120, 40] : [120, 30, 20];
      else if (kind === 'disc') rgb = (x - cx) ** 2 + (y - cy) ** 2 < r * r ? [60, 220, 80] : [20, 30, 25];
      else rgb = (((x + phase) >> 2) + ((y + phase) >> 2)) % 2 === 0 ? [60, 90, 240] : [200, 210, 250];
      for (let c = 0; c < 3; c++) px[(y * SIZE + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(rgb[c]! * shade + rng.uniform(-25, 25))));
    }
  }
  return px;
}

export interface PhotoFolders {
  /** root/train/<class>/<i>.png and root/held-out/<class>/<i>.png */
  root: string;
  train: Record<PhotoClass, string[]>;
  heldOut: Record<PhotoClass, string[]>;
}

/** Writes `perClass.train` + `perClass.heldOut` photos of each class under `root`. */
export async function writePhotos(root: string, perClass: { train: number; heldOut: number }, seed = 11): Promise<PhotoFolders> {
  const rng = new Rng(seed);
  const out: PhotoFolders = { root, train: { stripes: [], disc: [], checks: [] }, heldOut: { stripes: [], disc: [], checks: [] } };
  for (const [split, count] of [['train', perClass.train], ['held-out', perClass.heldOut]] as const) {
    for (const kind of PHOTO_CLASSES) {
      const dir = join(root, split, kind);
      await mkdir(dir, { recursive: true });
      for (let i = 0; i < count; i++) {
        const file = join(dir, `${kind}-${i}.png`);
        await writeFile(file, await sharp(photoPixels(kind, rng), { raw: { width: SIZE, height: SIZE, channels: 3 } }).png().toBuffer());
        (split === 'train' ? out.train : out.heldOut)[kind].push(file);
      }
    }
  }
  return out;
}
