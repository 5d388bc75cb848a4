// results.json of a finished run: one typed, validated schema, read back by export, report, eval,
// compare and the main job through the run folder (run_folder.ts). It records the data shape the model
// was trained on (input side, channels, classes, normalisation), so nothing downstream guesses it.

import { z } from 'zod';
import { trainConfigSchema } from '../config/schema.ts';
import { METHODS, type StageName, type TrainConfig } from '../config/train_config.ts';

export const RESULTS_FORMAT = 'supcon-onnx-results/2';

export interface StageSummary {
  stage: StageName;
  epochs: number;
  steps: number;
  finalLoss: number;
  seconds: number;
  imagesPerSecond: number;
  metrics: Record<string, number>;
}

/** What the model's input is: the side it was trained at, channels, class names, per-channel normalisation. */
export interface DataShape {
  size: number;
  channels: 1 | 3;
  classes: string[];
  normalization: { mean: number[]; std: number[] };
}

export interface RunResults {
  format: typeof RESULTS_FORMAT;
  name: string;
  method: TrainConfig['method'];
  dataset: string;
  data: DataShape;
  /** null when only stage 1 ran (no classifier). */
  testAccuracy: number | null;
  wallSeconds: number;
  stages: Partial<Record<StageName, StageSummary>>;
  /** [classes][classes], rows = true class; empty without a classifier. */
  confusion: number[][];
  config: TrainConfig;
}

const stageName = z.enum(['stage1', 'stage2', 'baseline']);

const stageSummarySchema: z.ZodType<StageSummary> = z.strictObject({
  stage: stageName,
  epochs: z.number().int().min(1),
  steps: z.number().int().min(0),
  finalLoss: z.number(),
  seconds: z.number().min(0),
  imagesPerSecond: z.number().min(0),
  metrics: z.record(z.string(), z.number()),
});

const dataShapeSchema: z.ZodType<DataShape> = z.strictObject({
  size: z.number().int().min(1),
  channels: z.union([z.literal(1), z.literal(3)]),
  classes: z.array(z.string()).min(1),
  normalization: z.strictObject({ mean: z.array(z.number()), std: z.array(z.number().gt(0)) }),
}).refine((d) => d.normalization.mean.length === d.channels && d.normalization.std.length === d.channels, { error: 'normalization needs one mean and one std per channel' });

const resultsSchema: z.ZodType<RunResults> = z.strictObject({
  format: z.literal(RESULTS_FORMAT),
  name: z.string(),
  method: z.enum(METHODS),
  dataset: z.string(),
  data: dataShapeSchema,
  testAccuracy: z.number().min(0).max(1).nullable(),
  wallSeconds: z.number().min(0),
  stages: z.strictObject({ stage1: stageSummarySchema.exactOptional(), stage2: stageSummarySchema.exactOptional(), baseline: stageSummarySchema.exactOptional() }),
  confusion: z.array(z.array(z.number().int().min(0))),
  config: trainConfigSchema,
});

/** Parsed results.json, or an error naming the file and the first fields that are wrong. */
export function parseResults(json: unknown, path: string): RunResults {
  if (typeof json === 'object' && json !== null && !('format' in json)) {
    throw new Error(`${path} was written by an older version (no "format" field, no data shape): train the run again`);
  }
  const r = resultsSchema.safeParse(json);
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(top)'}: ${i.message}`);
  throw new Error(`${path} is not a valid results file: ${problems.join('; ')}`);
}
