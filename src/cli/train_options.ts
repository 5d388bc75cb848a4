// Training flags -> a TrainConfig. Precedence: flags given on the command line > --config file > defaults.
// Flags carry no commander defaults, so "not given" is visible; the defaults live in defaultTrainConfig.

import { readFileSync } from 'node:fs';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { ENCODER_NAMES } from '../../graphs/encoders/index.ts';
import { AUGMENTATIONS, isAugmentationName, type AugmentationName } from '../data/index.ts';
import { type OptimizerKind, type ScheduleConfig, defaultOptimizer } from '../optim/index.ts';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/providers.ts';
import { type TrainConfig, defaultTrainConfig, mergeConfig } from '../train/config.ts';

export const METHODS = ['supcon', 'simclr', 'max-margin', 'ce'] as const;
const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'lars'];
const SCHEDULES = ['constant', 'step', 'exponential', 'cosine'] as const;
/** Learning rate used with --optimizer when --lr is not given: SGD/LARS take ~0.1, adaptive methods ~1e-3. */
const OPTIMIZER_LR: Readonly<Record<OptimizerKind, number>> = { sgd: 0.1, lars: 0.1, adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3 };

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a non-negative number');
  return n;
}

function augmentations(value: string): AugmentationName[] {
  const names = value.split(',').map((s) => s.trim());
  const bad = names.filter((n) => !isAugmentationName(n));
  if (bad.length > 0) throw new InvalidArgumentError(`unknown augmentation ${bad.join(', ')} (one of ${AUGMENTATIONS.join(', ')})`);
  return names as AugmentationName[];
}

/** Adds the training flags (defaults in the help text are defaultTrainConfig()'s). */
export function addTrainOptions(cmd: Command): Command {
  const d = defaultTrainConfig();
  return cmd
    .option('--config <file>', 'JSON file with a partial TrainConfig (flags override it)')
    .option('--name <name>', `run name: artifacts/runs/<name> (default ${d.name})`)
    .option('--dataset <spec>', `fashion-mnist | idx:<dir> | <image folder> (default ${d.dataset})`)
    .addOption(new Option('--method <method>', `training method (default ${d.model.loss})`).choices(METHODS))
    .addOption(new Option('--stages <which>', 'SupCon stages to run (default both)').choices(['both', 'stage1', 'stage2']))
    .option('--encoder-weights <file>', 'stage1.safetensors of an earlier run, for --stages stage2')
    .addOption(new Option('--encoder <name>', `encoder (default ${d.model.encoder})`).choices(ENCODER_NAMES))
    .addOption(new Option('--stem <stem>', 'ResNet stem (default cifar)').choices(['cifar', 'imagenet']))
    .option('--width <n>', `small CNN base width (default ${d.model.width})`, positiveNumber)
    .option('--image-size <n>', 'square input side (default: the dataset\'s)', positiveNumber)
    .option('--temperature <t>', `SupCon temperature (default ${d.model.temperature})`, positiveNumber)
    .option('--epochs <n>', `stage-1 / baseline epochs (default ${d.stage1.epochs})`, positiveNumber)
    .option('--linear-epochs <n>', `stage-2 epochs (default ${d.stage2.epochs})`, positiveNumber)
    .option('--batch-size <n>', `images per step (default ${d.stage1.batchSize})`, positiveNumber)
    .option('--lr <x>', `stage-1 / baseline learning rate (default ${d.stage1.lr}; 1e-3 with adam, adamw, rmsprop)`, positiveNumber)
    .option('--linear-lr <x>', `stage-2 learning rate (default ${d.stage2.lr})`, positiveNumber)
    .addOption(new Option('--optimizer <kind>', `stage-1 / baseline optimizer (default ${d.model.optimizer.kind})`).choices(OPTIMIZERS))
    .addOption(new Option('--schedule <kind>', 'learning-rate schedule (default cosine)').choices(SCHEDULES))
    .option('--views <augs>', `comma-separated augmentation per stage-1 view (default ${d.stage1.views.join(',')})`, augmentations)
    .option('--augment <aug>', `stage-2 / baseline augmentation (default ${d.baseline.augmentation})`, augmentations)
    .option('--seed <n>', `seed (default ${d.seed})`, positiveNumber)
    .option('--workers <n>', `data-loader worker threads (default ${d.workers})`, positiveNumber)
    .addOption(new Option('--ep <provider>', 'execution provider (default cpu)').choices(EXECUTION_PROVIDERS))
    .option('--threads <n>', 'ONNX Runtime threads (default all cores)', positiveNumber)
    .option('--checkpoint-every <n>', `steps between checkpoints (default ${d.checkpointEvery})`, positiveNumber)
    .option('--max-steps-per-epoch <n>', 'cap steps per epoch, for smoke runs', positiveNumber)
    .option('--no-export', 'skip exporting the inference model');
}

export interface TrainFlags {
  config?: string;
  name?: string;
  dataset?: string;
  method?: (typeof METHODS)[number];
  stages?: TrainConfig['stages'];
  encoderWeights?: string;
  encoder?: TrainConfig['model']['encoder'];
  stem?: TrainConfig['model']['stem'];
  width?: number;
  imageSize?: number;
  temperature?: number;
  epochs?: number;
  linearEpochs?: number;
  batchSize?: number;
  lr?: number;
  linearLr?: number;
  optimizer?: OptimizerKind;
  schedule?: (typeof SCHEDULES)[number];
  views?: AugmentationName[];
  augment?: AugmentationName[];
  seed?: number;
  workers?: number;
  ep?: ExecutionProvider;
  threads?: number;
  checkpointEvery?: number;
  maxStepsPerEpoch?: number;
  export: boolean;
}

function schedule(kind: (typeof SCHEDULES)[number], epochs: number): ScheduleConfig {
  switch (kind) {
    case 'constant': return { kind };
    case 'cosine': return { kind, minFactor: 0.001 };
    case 'exponential': return { kind, gamma: 0.9 };
    case 'step': return { kind, milestones: [Math.round(epochs * 0.6), Math.round(epochs * 0.8)], gamma: 0.1 };
  }
}

/** Resolves flags and the optional config file into a TrainConfig. */
export function trainConfigFrom(flags: TrainFlags): TrainConfig {
  const base = flags.config ? mergeConfig(defaultTrainConfig(), JSON.parse(readFileSync(flags.config, 'utf8'))) : defaultTrainConfig();
  return applyTrainFlags(base, flags);
}

/** A copy of `base` with the given flags applied (shared by train, compare and experiment grids). */
export function applyTrainFlags(base: TrainConfig, f: Partial<TrainFlags>): TrainConfig {
  const config = structuredClone(base);
  const model = { ...config.model };
  if (f.method === 'ce') config.method = 'ce';
  else if (f.method) {
    config.method = 'supcon';
    model.loss = f.method === 'max-margin' ? 'max_margin' : f.method;
  }
  if (f.encoder) model.encoder = f.encoder;
  if (f.stem) model.stem = f.stem;
  if (f.width !== undefined) model.width = f.width;
  if (f.temperature !== undefined) model.temperature = f.temperature;
  if (f.optimizer) model.optimizer = { ...defaultOptimizer(f.optimizer), ...(f.optimizer === 'sgd' ? { momentum: 0.9 } : {}) };
  config.model = model;
  if (f.name) config.name = f.name;
  if (f.dataset) config.dataset = f.dataset;
  if (f.stages) config.stages = f.stages;
  if (f.encoderWeights) config.encoderWeights = f.encoderWeights;
  if (f.imageSize !== undefined) config.imageSize = f.imageSize;
  for (const stage of [config.stage1, config.baseline]) {
    if (f.epochs !== undefined) stage.epochs = f.epochs;
    if (f.optimizer) stage.lr = OPTIMIZER_LR[f.optimizer];
    if (f.lr !== undefined) stage.lr = f.lr;
    if (f.schedule) stage.schedule = schedule(f.schedule, stage.epochs);
  }
  for (const stage of [config.stage1, config.stage2, config.baseline]) if (f.batchSize !== undefined) stage.batchSize = f.batchSize;
  if (f.linearEpochs !== undefined) config.stage2.epochs = f.linearEpochs;
  if (f.linearLr !== undefined) config.stage2.lr = f.linearLr;
  if (f.views) config.stage1.views = f.views;
  if (f.augment) config.baseline.augmentation = config.stage2.augmentation = f.augment[0]!;
  if (f.seed !== undefined) config.seed = f.seed;
  if (f.workers !== undefined) config.workers = f.workers;
  if (f.ep) config.ep = f.ep;
  if (f.threads !== undefined) config.threads = f.threads;
  if (f.checkpointEvery !== undefined) config.checkpointEvery = f.checkpointEvery;
  if (f.maxStepsPerEpoch !== undefined) config.maxStepsPerEpoch = f.maxStepsPerEpoch;
  if (f.export === false) config.export = false;
  return config;
}
