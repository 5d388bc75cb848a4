// A tiny generated image-folder dataset (train/ and test/ splits) and a training config sized for tests.

import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { resolveTrainConfig } from '../../src/config/resolve.ts';
import type { TrainConfig } from '../../src/config/train_config.ts';

const COLOURS: ReadonlyArray<readonly [number, number, number]> = [[220, 40, 40], [40, 200, 60], [50, 70, 230]];

/** root/{train,test}/<class>/<i>.png: 3 colour classes with per-image noise, 16x16. */
export async function writeColourDataset(perClass = { train: 16, test: 6 }): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'supcon-train-'));
  let seed = 1;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return (seed / 2147483648 - 0.5) * 120;
  };
  for (const split of ['train', 'test'] as const) {
    for (const [c, rgb] of COLOURS.entries()) {
      const dir = join(root, split, `class${c}`);
      mkdirSync(dir, { recursive: true });
      for (let i = 0; i < perClass[split]; i++) {
        const px = new Uint8Array(16 * 16 * 3);
        for (let p = 0; p < px.length; p++) px[p] = Math.max(0, Math.min(255, rgb[p % 3]! + noise()));
        writeFileSync(join(dir, `${i}.png`), await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toBuffer());
      }
    }
  }
  return root;
}

/** A two-stage run on the colour dataset that takes seconds: small CNN of width 4, 16x16 inputs. */
export function tinyConfig(dataset: string, overrides: Record<string, unknown> = {}): TrainConfig {
  return resolveTrainConfig([
    {
      source: 'tiny',
      values: {
        name: 'test', dataset, imageSize: 16, workers: 0, threads: 1, checkpointEvery: 2, export: false,
        model: { width: 4 },
        stage1: { epochs: 2, batchSize: 12, warmupEpochs: 0 },
        stage2: { epochs: 2, batchSize: 12 },
        baseline: { epochs: 2, batchSize: 12, warmupEpochs: 0, schedule: { kind: 'constant' } },
        eval: { knnBank: 48, knnQueries: 18, knnK: 5 },
      },
    },
    { source: 'test', values: overrides },
  ]);
}
