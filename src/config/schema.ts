// The TrainConfig schema (zod): every field's type and range, unknown keys rejected, and the checks
// that span fields (a warm-up that ends before its stage, a batch that SupCon's sampler can fill).
// `validateTrainConfig` runs on every resolved config before any folder is created, and its errors
// name the field, the flag that sets it, the value and what is allowed.

import { z } from 'zod';
import { ENCODER_NAMES, isOnnxEncoder } from '../../graphs/encoders/index.ts';
import { AUGMENTATIONS } from '../data/index.ts';
import { EXECUTION_PROVIDERS } from '../runtime/providers.ts';
import { CONTRAST_MODES, HEADS, STAGE_SETS, STEMS, describePath } from './flags.ts';
import { METHODS, STAGE2_MODES, type StageName, type TrainConfig } from './train_config.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const count = (min: number): z.ZodNumber => z.number({ error: `must be an integer >= ${min}` }).int({ error: `must be an integer >= ${min}` }).min(min, { error: `must be an integer >= ${min}` });
const positive = z.number({ error: 'must be a number > 0' }).gt(0, { error: 'must be a number > 0' });
const nonNegative = z.number({ error: 'must be a number >= 0' }).min(0, { error: 'must be a number >= 0' });
const fraction = z.number({ error: 'must be a number in [0, 1)' }).min(0, { error: 'must be a number in [0, 1)' }).lt(1, { error: 'must be a number in [0, 1)' });
const oneOf = <const T extends string>(values: readonly T[]) => z.enum(values, { error: `must be one of ${values.join(', ')}` });
const flag = z.boolean({ error: 'must be true or false' });

const optimizer = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sgd'), momentum: fraction, nesterov: flag, weightDecay: nonNegative, dampening: fraction.exactOptional() })
    .refine((o) => !o.nesterov || (o.momentum > 0 && !o.dampening), { error: 'Nesterov momentum needs momentum > 0 and no dampening', path: ['nesterov'] }),
  z.strictObject({ kind: z.literal(['adam', 'adamw']), beta1: fraction, beta2: fraction, eps: positive, weightDecay: nonNegative }),
  z.strictObject({ kind: z.literal('rmsprop'), alpha: fraction, eps: positive, momentum: fraction, centered: flag, weightDecay: nonNegative }),
  z.strictObject({ kind: z.literal('lars'), momentum: fraction, weightDecay: nonNegative, trustCoefficient: positive, eps: positive }),
], { error: 'must be one of sgd, adam, adamw, rmsprop, lars' });

const schedule = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('constant') }),
  z.strictObject({ kind: z.literal('step'), milestones: z.array(count(1)), gamma: positive }),
  z.strictObject({ kind: z.literal('exponential'), gamma: positive }),
  z.strictObject({ kind: z.literal('cosine'), minFactor: z.number({ error: 'must be in [0, 1]' }).min(0, { error: 'must be in [0, 1]' }).max(1, { error: 'must be in [0, 1]' }) }),
], { error: 'must be one of constant, step, exponential, cosine' });

const stage = { epochs: count(1), batchSize: count(1), lr: positive, schedule, warmupEpochs: nonNegative };
// Defaults keep configs stored before chunks and queues existed readable (their runs resume as they were).
const chunked = { chunkSize: count(0).default(0) };
const augmentation = oneOf(AUGMENTATIONS);

const encoderError = `must be one of ${ENCODER_NAMES.join(', ')}, or onnx:<file>`;
const encoder = z.union([z.enum(ENCODER_NAMES), z.templateLiteral(['onnx:', z.string().min(1)])], { error: encoderError });

const inputNorm = z.union([
  z.enum(['dataset', 'imagenet', 'none']),
  z.strictObject({ mean: z.array(z.number()).min(1), std: z.array(positive).min(1) })
    .refine((n) => n.mean.length === n.std.length && (n.mean.length === 1 || n.mean.length === 3), { error: 'needs as many means as stds, one or three' }),
], { error: 'must be dataset, imagenet, none or { mean, std } (one or three numbers each, std > 0)' });

const architecture = z.strictObject({
  encoder,
  stem: oneOf(STEMS),
  width: count(1),
  head: oneOf(HEADS),
  headHidden: count(0),
  featDim: count(1),
  normalizeEncoder: flag,
  loss: oneOf(['supcon', 'simclr', 'max_margin']),
  temperature: positive,
  baseTemperature: nonNegative,
  contrastMode: oneOf(CONTRAST_MODES),
  margin: positive,
  supconWeight: nonNegative.default(1),
  optimizer,
  linearOptimizer: optimizer,
  featureOutput: z.string().min(1, { error: 'must name an ONNX value' }).exactOptional(),
  freeze: z.array(z.string().min(1, { error: 'must not be empty' })).min(1, { error: 'must list at least one pattern' }).exactOptional(),
});

export const trainConfigSchema: z.ZodType<TrainConfig> = z.strictObject({
  name: z.string().regex(/^[\w.-]+$/, { error: 'must be a plain folder name (letters, digits, _ . -)' }),
  dataset: z.string().min(1, { error: 'must name a data set' }),
  imageSize: count(0),
  inputNorm: inputNorm.exactOptional(),
  method: oneOf(METHODS),
  stages: oneOf(STAGE_SETS),
  encoderWeights: z.string(),
  model: architecture,
  stage1: z.strictObject({
    ...stage, ...chunked, views: z.array(augmentation).min(1, { error: 'must list at least one view' }), minPerClass: count(1),
    queueSize: count(0).default(0), queueMomentum: fraction.default(0.99),
  }),
  stage2: z.strictObject({ ...stage, mode: oneOf(STAGE2_MODES).default('linear'), augmentation }),
  baseline: z.strictObject({ ...stage, ...chunked, augmentation }),
  eval: z.strictObject({ every: count(0).default(0), knnBank: count(1), knnQueries: count(1), knnK: count(1) }),
  seed: count(0),
  workers: count(0),
  ep: oneOf(EXECUTION_PROVIDERS),
  threads: count(0),
  checkpointEvery: count(1),
  maxStepsPerEpoch: count(0),
  export: flag,
}).superRefine((c, ctx) => {
  for (const s of ['stage1', 'stage2', 'baseline'] as const satisfies readonly StageName[]) {
    if (c[s].epochs >= 1 && c[s].warmupEpochs >= c[s].epochs) {
      ctx.addIssue({ code: 'custom', path: [s, 'warmupEpochs'], input: c[s].warmupEpochs, message: `must be less than ${s}.epochs (${c[s].epochs}): the warm-up has to end before the stage does` });
    }
    const sched = c[s].schedule;
    if (sched.kind === 'step' && sched.milestones.some((m, i) => i > 0 && m <= (sched.milestones[i - 1] ?? 0))) {
      ctx.addIssue({ code: 'custom', path: [s, 'schedule', 'milestones'], input: sched.milestones, message: 'must be increasing epochs' });
    }
  }
  const labelled = c.model.loss !== 'simclr';
  if (c.method !== 'ce' && labelled && c.stage1.batchSize % c.stage1.minPerClass !== 0) {
    ctx.addIssue({ code: 'custom', path: ['stage1', 'batchSize'], input: c.stage1.batchSize, message: `must be a multiple of stage1.minPerClass (${c.stage1.minPerClass}), the images per class the sampler puts in a batch` });
  }
  if (c.method === 'supcon' && c.model.loss === 'simclr' && c.stage1.views.length < 2) {
    ctx.addIssue({ code: 'custom', path: ['stage1', 'views'], input: c.stage1.views, message: 'must list at least two views for SimCLR (an image\'s only positive is its other view)' });
  }
  if (c.model.featureOutput !== undefined && !isOnnxEncoder(c.model.encoder)) {
    ctx.addIssue({ code: 'custom', path: ['model', 'featureOutput'], input: c.model.featureOutput, message: `names a value of an imported model: it needs --encoder onnx:<file>, not ${c.model.encoder}` });
  }
  for (const s of trainedStages(c)) {
    const rows = c[s].batchSize * (s === 'stage1' ? c.stage1.views.length : 1);
    const chunk = c[s].chunkSize;
    if (chunk > 0 && chunk < rows && rows % chunk !== 0) {
      const what = s === 'stage1' ? `${c[s].batchSize} images x ${c.stage1.views.length} views` : `${c[s].batchSize} images`;
      ctx.addIssue({ code: 'custom', path: [s, 'chunkSize'], input: chunk, message: `must divide the ${rows} rows of a step (${what}) or be at least that: ${nearestDivisors(rows, chunk)} would` });
    }
  }
  if (trainedStages(c).includes('stage1') && c.stage1.queueSize > 0 && c.model.loss === 'max_margin') {
    ctx.addIssue({ code: 'custom', path: ['stage1', 'queueSize'], input: c.stage1.queueSize, message: 'must be 0 with the max-margin loss: the memory queue extends SupCon and SimCLR' });
  }
  if (c.method === 'supcon+ce') {
    if (c.model.loss !== 'supcon') ctx.addIssue({ code: 'custom', path: ['model', 'loss'], input: c.model.loss, message: 'must be supcon with the supcon+ce method (cross-entropy plus the SupCon loss)' });
    if (c.model.head === 'none') ctx.addIssue({ code: 'custom', path: ['model', 'head'], input: c.model.head, message: 'must be mlp or linear with the supcon+ce method: its SupCon term needs a projection head' });
  }
  if (c.method === 'supcon' && c.stages === 'stage2' && c.encoderWeights === '') {
    ctx.addIssue({ code: 'custom', path: ['encoderWeights'], input: c.encoderWeights, message: 'must name stage1.safetensors of an earlier run when stages is stage2' });
  }
});

/** The chunkable stages a config trains (chunk and queue settings of the others are not checked). */
function trainedStages(c: Pick<TrainConfig, 'method' | 'stages'>): ('stage1' | 'baseline')[] {
  if (c.method === 'ce') return ['baseline'];
  return c.method === 'supcon' && c.stages === 'stage2' ? [] : ['stage1'];
}

/** The divisors of `rows` nearest below and above `chunk`, as a hint. */
function nearestDivisors(rows: number, chunk: number): string {
  const divisors = Array.from({ length: rows }, (_, i) => i + 1).filter((d) => rows % d === 0);
  const below = divisors.filter((d) => d < chunk).at(-1);
  const above = divisors.find((d) => d > chunk);
  return [below, above].filter((d) => d !== undefined).join(' or ');
}

type Issue = z.core.$ZodIssue;

const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

function describeIssue(issue: Issue): string {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const kind = typeof issue.input === 'object' && issue.input !== null && 'kind' in issue.input ? String(issue.input.kind) : undefined;
    return issue.keys.map((k) => {
      const hint = kind !== undefined ? `: ${kind} has no such setting` : path === '' && k in architecture.shape ? ' (model settings live under "model")' : '';
      return `unknown config key ${describePath(path ? `${path}.${k}` : k)}${hint}`;
    }).join('\n');
  }
  const input = issue.code === 'invalid_union' && typeof issue.input === 'object' && issue.input !== null && 'kind' in issue.input ? issue.input.kind : issue.input;
  return `${describePath(path)} is ${show(input)}: ${issue.message}`;
}

/** The config `json` as a TrainConfig, or a ConfigError listing every problem, one per line. */
export function validateTrainConfig(json: unknown): TrainConfig {
  const result = trainConfigSchema.safeParse(json, { reportInput: true });
  if (result.success) return result.data;
  throw new ConfigError(`invalid configuration:\n  ${result.error.issues.map(describeIssue).join('\n').split('\n').join('\n  ')}`);
}

