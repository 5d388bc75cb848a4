// The one flag table of train, compare, experiment (grid keys) and build-graph. Each flag turns its value
// into a patch of the TrainConfig (resolve.ts merges patches over the defaults, so naming a default
// changes nothing) and reads its value back from a config (help defaults, the README reference,
// resume messages). Values are only parsed here; ranges are the schema's (schema.ts), so a config
// file gets the same checks. Patches apply in table order, so kinds (--optimizer) come before their
// fields (--momentum) whatever the order on the command line.

import { ENCODER_NAMES, type EncoderName, isOnnxEncoder } from '../../graphs/encoders/index.ts';
import { AUGMENTATIONS, type AugmentationName } from '../data/index.ts';
import { OPTIMIZER_KINDS, SCHEDULE_KINDS } from '../optim/index.ts';
import { EXECUTION_PROVIDERS } from '../runtime/providers.ts';
import { type InputNorm, STAGE2_MODES, type TrainConfig } from './train_config.ts';

export type Patch = { readonly [key: string]: unknown };

export interface Flag {
  /** As typed: '--epochs'; a switch also has '--no-<name>'. */
  name: string;
  /** Placeholder of the value ('<n>'); absent for switches. */
  value?: string;
  help: string;
  choices?: readonly string[];
  /** The patch a value makes (switches get true or false); throws on a malformed value. */
  patch(raw: string | boolean): Patch;
  /** The flag's value in `config` as it would be typed; undefined where it does not apply. */
  read(config: TrainConfig): string | boolean | undefined;
  /** On --resume, 'runtime' flags may change and 'extend' flags may grow; any other change is an error. */
  resume?: 'runtime' | 'extend';
  /** build-graph takes it too: it shapes the graphs (or names their folder). */
  graph?: boolean;
}

const METHODS = ['supcon', 'simclr', 'max-margin', 'ce', 'supcon+ce'] as const;
export const STEMS = ['cifar', 'imagenet'] as const;
export const HEADS = ['mlp', 'linear', 'none'] as const;
export const CONTRAST_MODES = ['all', 'one'] as const;
export const STAGE_SETS = ['both', 'stage1', 'stage2'] as const;

export class FlagError extends Error {
  override name = 'FlagError';
}

function text(raw: string | boolean, flag: string): string {
  if (typeof raw !== 'string') throw new FlagError(`${flag} needs a value`);
  return raw;
}

function number(raw: string | boolean, flag: string): number {
  const s = text(raw, flag).trim();
  const n = Number(s);
  if (s === '' || !Number.isFinite(n)) throw new FlagError(`${flag}: '${String(raw)}' is not a number`);
  return n;
}

function choice<T extends string>(raw: string | boolean, flag: string, choices: readonly T[]): T {
  const s = text(raw, flag);
  const found = choices.find((c) => c === s);
  if (found === undefined) throw new FlagError(`${flag}: '${s}' is not one of ${choices.join(', ')}`);
  return found;
}

function augmentation(raw: string | boolean, flag: string): AugmentationName {
  if (text(raw, flag).includes(',')) throw new FlagError(`${flag} takes one augmentation, got '${String(raw)}' (--views takes one per view)`);
  return choice(raw, flag, AUGMENTATIONS);
}

function augmentations(raw: string | boolean, flag: string): AugmentationName[] {
  const names = text(raw, flag).split(',').map((s) => s.trim());
  if (names.length === 1 && /^\d+$/.test(names[0] ?? '')) {
    throw new FlagError(`${flag} takes one augmentation per view (e.g. simaugment,simaugment), not a count: '${String(raw)}'`);
  }
  return names.map((n) => choice(n, flag, AUGMENTATIONS));
}

function encoder(raw: string | boolean): EncoderName {
  const s = text(raw, '--encoder');
  if (isOnnxEncoder(s)) {
    if (s.length === 'onnx:'.length) throw new FlagError('--encoder onnx: needs a file, e.g. onnx:resnet18.onnx');
    return s;
  }
  return choice(s, '--encoder', ENCODER_NAMES);
}

function patterns(raw: string | boolean, flag: string): string[] {
  const list = text(raw, flag).split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (list.length === 0) throw new FlagError(`${flag} needs at least one pattern`);
  return list;
}

export const IMAGENET_NORM = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] } as const;

function inputNorm(raw: string | boolean): InputNorm {
  const s = text(raw, '--input-norm').trim();
  if (s === 'dataset' || s === 'imagenet' || s === 'none') return s;
  const parts = s.split('/');
  if (parts.length !== 2) throw new FlagError(`--input-norm: '${s}' is not dataset, imagenet, none or <mean,...>/<std,...> (e.g. 0.5,0.5,0.5/0.25,0.25,0.25)`);
  const [mean, std] = parts.map((part) => part.split(',').map((v) => number(v, '--input-norm')));
  return { mean: mean!, std: std! };
}

const showNorm = (n: InputNorm): string => (typeof n === 'string' ? n : `${n.mean.join(',')}/${n.std.join(',')}`);

function flag(name: string, value: string | undefined, help: string, rest: Omit<Flag, 'name' | 'value' | 'help'>): Flag {
  return { name, ...(value === undefined ? {} : { value }), help, ...rest };
}

/** A number flag that sets one field (or the same field of several stages). */
function numeric(name: string, value: string, help: string, set: (n: number) => Patch, read: (c: TrainConfig) => number | undefined, extra: Partial<Flag> = {}): Flag {
  return flag(name, value, help, { patch: (raw) => set(number(raw, name)), read: (c) => { const v = read(c); return v === undefined ? undefined : String(v); }, ...extra });
}

function chosen<T extends string>(name: string, value: string, help: string, choices: readonly T[], set: (v: T) => Patch, read: (c: TrainConfig) => T, extra: Partial<Flag> = {}): Flag {
  return flag(name, value, help, { choices, patch: (raw) => set(choice(raw, name, choices)), read, ...extra });
}

function switched(name: string, help: string, set: (v: boolean) => Patch, read: (c: TrainConfig) => boolean | undefined, extra: Partial<Flag> = {}): Flag {
  return flag(name, undefined, help, {
    patch: (raw) => {
      if (typeof raw !== 'boolean') throw new FlagError(`${name} takes no value`);
      return set(raw);
    },
    read,
    ...extra,
  });
}

/** Stage 1 and the baseline share the contrastive/end-to-end recipe; stage 2 has --linear-* flags. */
const mainStages = (fields: Patch): Patch => ({ stage1: fields, baseline: fields });

const momentum = (c: TrainConfig): number | undefined => {
  const o = c.model.optimizer;
  return 'momentum' in o ? o.momentum : undefined;
};

export const FLAGS: readonly Flag[] = [
  flag('--name', '<name>', 'run name: artifacts/runs/<name>', { patch: (raw) => ({ name: text(raw, '--name') }), read: (c) => c.name, graph: true }),
  flag('--dataset', '<spec>', 'fashion-mnist | idx:<dir> | <image folder>', { patch: (raw) => ({ dataset: text(raw, '--dataset') }), read: (c) => c.dataset, graph: true }),
  numeric('--image-size', '<n>', "model input side (0 = an imported model's own, else the data set's: 28 for Fashion-MNIST and IDX, 32 for folders)", (n) => ({ imageSize: n }), (c) => c.imageSize, { graph: true }),
  chosen('--method', '<method>', 'supcon, simclr (label-free), max-margin, ce (the cross-entropy baseline), or supcon+ce (one stage: cross-entropy + --supcon-weight x SupCon)', METHODS,
    (m) => (m === 'ce' ? { method: 'ce' } : m === 'supcon+ce' ? { method: m, model: { loss: 'supcon' } } : { method: 'supcon', model: { loss: m === 'max-margin' ? 'max_margin' : m } }),
    (c) => (c.method === 'supcon' ? (c.model.loss === 'max_margin' ? 'max-margin' : c.model.loss) : c.method), { graph: true }),
  chosen('--stages', '<which>', 'SupCon stages to run', STAGE_SETS, (v) => ({ stages: v }), (c) => c.stages),
  flag('--encoder-weights', '<file>', 'stage1.safetensors of an earlier run, for --stages stage2', { patch: (raw) => ({ encoderWeights: text(raw, '--encoder-weights') }), read: (c) => c.encoderWeights }),

  flag('--encoder', '<name>', 'encoder; onnx:<file> fine-tunes a model exported to ONNX (its initializers are the starting weights)', {
    choices: [...ENCODER_NAMES, 'onnx:<file>'], patch: (raw) => ({ model: { encoder: encoder(raw) } }), read: (c) => c.model.encoder, graph: true,
  }),
  flag('--feature-output', '<value>', 'imported encoders: the ONNX value taken as the features [N, D] (default: the input of the last Gemm / MatMul, so the classifier is cut off)', {
    patch: (raw) => ({ model: { featureOutput: text(raw, '--feature-output') } }), read: (c) => c.model.featureOutput, graph: true,
  }),
  flag('--freeze', '<patterns>', 'parameters stage 1 and the baseline keep fixed: comma-separated globs over state-dict names, a module name covering what it holds; !<pattern> thaws (encoder,!encoder.layer4: only the last stage and the head train)', {
    patch: (raw) => ({ model: { freeze: patterns(raw, '--freeze') } }), read: (c) => c.model.freeze?.join(','), graph: true,
  }),
  flag('--input-norm', '<stats>', `input (x - mean) / std, also inside the exported model: the training split's statistics (dataset, the default), ImageNet's (${IMAGENET_NORM.mean.join(',')}/${IMAGENET_NORM.std.join(',')}, for ImageNet-pretrained models), none, or given per channel`, {
    choices: ['dataset', 'imagenet', 'none', '<mean,...>/<std,...>'], patch: (raw) => ({ inputNorm: inputNorm(raw) }), read: (c) => (c.inputNorm === undefined ? undefined : showNorm(c.inputNorm)),
  }),
  chosen('--stem', '<stem>', 'ResNet stem: cifar (3x3 conv) or imagenet (7x7/2 conv + max-pool)', STEMS, (v) => ({ model: { stem: v } }), (c) => c.model.stem, { graph: true }),
  numeric('--width', '<n>', 'small CNN base width', (n) => ({ model: { width: n } }), (c) => c.model.width, { graph: true }),
  chosen('--head', '<kind>', 'projection head', HEADS, (v) => ({ model: { head: v } }), (c) => c.model.head, { graph: true }),
  numeric('--head-hidden', '<n>', 'MLP head hidden width (0 = the encoder dimension)', (n) => ({ model: { headHidden: n } }), (c) => c.model.headHidden, { graph: true }),
  numeric('--feat-dim', '<n>', 'projection dimension', (n) => ({ model: { featDim: n } }), (c) => c.model.featDim, { graph: true }),
  switched('--normalize', 'L2-normalise the encoder output', (v) => ({ model: { normalizeEncoder: v } }), (c) => c.model.normalizeEncoder, { graph: true }),
  numeric('--temperature', '<t>', 'SupCon / SimCLR temperature tau', (n) => ({ model: { temperature: n } }), (c) => c.model.temperature, { graph: true }),
  numeric('--base-temperature', '<t>', 'loss scaled by tau / base (0 = tau, scale 1)', (n) => ({ model: { baseTemperature: n } }), (c) => c.model.baseTemperature, { graph: true }),
  chosen('--contrast-mode', '<mode>', 'SupCon anchors: all views or the first', CONTRAST_MODES, (v) => ({ model: { contrastMode: v } }), (c) => c.model.contrastMode, { graph: true }),
  numeric('--margin', '<m>', 'max-margin loss margin', (n) => ({ model: { margin: n } }), (c) => c.model.margin, { graph: true }),
  numeric('--supcon-weight', '<w>', 'weight of the SupCon term in the supcon+ce method', (n) => ({ model: { supconWeight: n } }), (c) => c.model.supconWeight, { graph: true }),

  chosen('--optimizer', '<kind>', 'stage-1 / baseline optimizer (another kind starts from its own defaults and lr)', OPTIMIZER_KINDS,
    (v) => ({ model: { optimizer: { kind: v } } }), (c) => c.model.optimizer.kind, { graph: true }),
  numeric('--momentum', '<m>', 'momentum of the stage-1 / baseline optimizer (sgd, rmsprop, lars)', (n) => ({ model: { optimizer: { momentum: n } } }), momentum, { graph: true }),
  switched('--nesterov', 'Nesterov momentum (sgd)', (v) => ({ model: { optimizer: { nesterov: v } } }), (c) => (c.model.optimizer.kind === 'sgd' ? c.model.optimizer.nesterov : undefined), { graph: true }),
  numeric('--weight-decay', '<wd>', 'weight decay of the stage-1 / baseline optimizer', (n) => ({ model: { optimizer: { weightDecay: n } } }), (c) => c.model.optimizer.weightDecay, { graph: true }),
  chosen('--linear-optimizer', '<kind>', 'stage-2 optimizer', OPTIMIZER_KINDS, (v) => ({ model: { linearOptimizer: { kind: v } } }), (c) => c.model.linearOptimizer.kind, { graph: true }),

  numeric('--epochs', '<n>', 'stage-1 / baseline epochs', (n) => mainStages({ epochs: n }), (c) => c.stage1.epochs, { resume: 'extend' }),
  numeric('--batch-size', '<n>', 'stage-1 / baseline images per step', (n) => mainStages({ batchSize: n }), (c) => c.stage1.batchSize, { graph: true }),
  numeric('--lr', '<x>', 'stage-1 / baseline learning rate (default per optimizer: 0.1 sgd, lars; 1e-3 adam, adamw, rmsprop)', (n) => mainStages({ lr: n }), (c) => c.stage1.lr),
  chosen('--schedule', '<kind>', 'stage-1 / baseline learning-rate schedule', SCHEDULE_KINDS, (v) => mainStages({ schedule: { kind: v } }), (c) => c.stage1.schedule.kind),
  numeric('--warmup-epochs', '<e>', 'stage-1 / baseline linear warm-up in epochs (fractions allowed, 0 = none; must end before the stage)', (n) => mainStages({ warmupEpochs: n }), (c) => c.stage1.warmupEpochs),
  flag('--views', '<augs>', 'stage-1 augmentation per view, comma-separated (the count is the number of views)', {
    choices: AUGMENTATIONS, patch: (raw) => ({ stage1: { views: augmentations(raw, '--views') } }), read: (c) => c.stage1.views.join(','), graph: true,
  }),
  numeric('--chunk-size', '<n>', 'rows (images x views) per GradCache chunk of a stage-1 / baseline step: memory of a chunk, gradient of the whole batch, one more forward pass (0 = one graph; must divide the rows)',
    (n) => mainStages({ chunkSize: n }), (c) => c.stage1.chunkSize),
  numeric('--queue-size', '<k>', 'stage-1 memory queue: (projection, label) pairs of earlier steps in every contrast set (0 = none; SupCon, SimCLR)', (n) => ({ stage1: { queueSize: n } }), (c) => c.stage1.queueSize, { graph: true }),
  numeric('--queue-momentum', '<m>', 'EMA momentum of the encoder that fills the queue (0 = the batch\'s own projections, no second forward)', (n) => ({ stage1: { queueMomentum: n } }), (c) => c.stage1.queueMomentum, { graph: true }),
  flag('--augment', '<aug>', 'baseline augmentation', { choices: AUGMENTATIONS, patch: (raw) => ({ baseline: { augmentation: augmentation(raw, '--augment') } }), read: (c) => c.baseline.augmentation }),

  chosen('--stage2', '<mode>', 'SupCon stage 2: a linear classifier on the frozen encoder, or the whole network fine-tuned with cross-entropy (--linear-* flags set its epochs, batch, lr and augmentation)', STAGE2_MODES,
    (v) => ({ stage2: { mode: v } }), (c) => c.stage2.mode),
  numeric('--linear-epochs', '<n>', 'stage-2 epochs', (n) => ({ stage2: { epochs: n } }), (c) => c.stage2.epochs, { resume: 'extend' }),
  numeric('--linear-batch-size', '<n>', 'stage-2 images per step', (n) => ({ stage2: { batchSize: n } }), (c) => c.stage2.batchSize, { graph: true }),
  numeric('--linear-lr', '<x>', 'stage-2 learning rate', (n) => ({ stage2: { lr: n } }), (c) => c.stage2.lr),
  flag('--linear-augment', '<aug>', "stage-2 augmentation ('none' precomputes encoder features once)", {
    choices: AUGMENTATIONS, patch: (raw) => ({ stage2: { augmentation: augmentation(raw, '--linear-augment') } }), read: (c) => c.stage2.augmentation,
  }),

  numeric('--eval-every', '<n>', 'end-of-epoch evaluation (kNN or test accuracy) every n epochs and after the last (0 = as often as keeps it within 10% of the stage\'s time)', (n) => ({ eval: { every: n } }), (c) => c.eval.every),
  numeric('--seed', '<n>', 'seed of parameters, split, batches and augmentation', (n) => ({ seed: n }), (c) => c.seed, { graph: true }),
  numeric('--workers', '<n>', 'data-loader worker threads (0 = inline)', (n) => ({ workers: n }), (c) => c.workers, { resume: 'runtime' }),
  chosen('--ep', '<provider>', 'execution provider', EXECUTION_PROVIDERS, (v) => ({ ep: v }), (c) => c.ep, { resume: 'runtime' }),
  numeric('--threads', '<n>', 'ONNX Runtime threads (0 = all cores)', (n) => ({ threads: n }), (c) => c.threads, { resume: 'runtime' }),
  numeric('--checkpoint-every', '<n>', 'steps between checkpoints (and one at every epoch end)', (n) => ({ checkpointEvery: n }), (c) => c.checkpointEvery),
  numeric('--max-steps-per-epoch', '<n>', 'cap on steps per epoch, for smoke runs (0 = none)', (n) => ({ maxStepsPerEpoch: n }), (c) => c.maxStepsPerEpoch),
  switched('--export', 'export the inference model after training', (v) => ({ export: v }), (c) => c.export),
];

/** Old build-graph names, answered with an error naming the new one. */
export const RENAMED_FLAGS: Readonly<Record<string, string>> = {
  '--model': '--encoder',
  '--size': '--image-size',
  '--batch': '--batch-size',
  '--loss': '--method',
};

export function findFlag(name: string): Flag {
  const dashed = name.startsWith('--') ? name : `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const found = FLAGS.find((f) => f.name === dashed);
  if (found === undefined) {
    const renamed = RENAMED_FLAGS[dashed];
    throw new FlagError(renamed ? `${dashed} is now ${renamed}` : `unknown flag ${dashed}`);
  }
  return found;
}

/** Config leaf paths a patch sets ('stage1.epochs'). */
export function patchPaths(patch: unknown, prefix = ''): string[] {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return prefix ? [prefix] : [];
  return Object.entries(patch).flatMap(([k, v]) => patchPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** The config paths each flag sets, from the patch of a sample value. */
export function flagPaths(f: Flag): string[] {
  if (f.value === undefined) return patchPaths(f.patch(true));
  return patchPaths(f.patch(f.choices?.[0] ?? '1'));
}

/**
 * The flags that set config `path`; a flag that sets a `kind` owns the whole object
 * (model.optimizer.beta1 belongs to --optimizer).
 */
function flagsFor(path: string): Flag[] {
  return FLAGS.filter((f) => flagPaths(f).some((p) => p === path || (p.endsWith('.kind') && path.startsWith(p.slice(0, -'kind'.length)))));
}

/** 'stage1.epochs (--epochs)': a config path with the flags that set it. */
export function describePath(path: string): string {
  const flags = flagsFor(path).map((f) => f.name);
  return flags.length > 0 ? `${path} (${flags.join(', ')})` : path;
}
