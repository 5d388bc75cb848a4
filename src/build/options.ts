// Command-line options of every command that builds graphs (build-graph, train, bench): flags with the
// defaults of `defaultModelConfig`, a JSON config file, and their merge. Precedence: flags given on
// the command line > the config file > defaults.

import { type Command, Option } from 'commander';
import { type ContrastiveLoss, type ModelConfig, defaultModelConfig } from '../../graphs/config.ts';
import { ENCODER_NAMES, type EncoderName, type Stem } from '../../graphs/encoders/index.ts';
import type { HeadKind } from '../../graphs/heads.ts';
import { type OptimizerConfig, type OptimizerKind, defaultOptimizer } from '../optim/index.ts';

const STEMS: readonly Stem[] = ['cifar', 'imagenet'];
const HEADS: readonly HeadKind[] = ['mlp', 'linear', 'none'];
const LOSSES: readonly ContrastiveLoss[] = ['supcon', 'simclr', 'max_margin'];
const MODES: readonly ModelConfig['contrastMode'][] = ['all', 'one'];
const OPTIMIZERS: readonly OptimizerKind[] = ['sgd', 'adam', 'adamw', 'rmsprop', 'lars'];

/** Flag -> config key for plain numeric fields. */
const NUMBER_FLAGS = {
  width: 'width', size: 'inputSize', channels: 'inputChannels', classes: 'numClasses', headHidden: 'headHidden',
  featDim: 'featDim', temperature: 'temperature', baseTemperature: 'baseTemperature', margin: 'margin', views: 'views', batch: 'batchSize',
} as const satisfies Record<string, keyof ModelConfig>;

function number(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n)) throw new Error(`not a number: ${value}`);
  return n;
}

function oneOf<T extends string>(allowed: readonly T[], value: unknown, what: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined) throw new Error(`${what} must be one of ${allowed.join(', ')}, got ${String(value)}`);
  return found;
}

/** Adds the model flags to `cmd`; defaults shown in --help are `defaultModelConfig()`'s. */
export function addModelOptions(cmd: Command): Command {
  const d = defaultModelConfig();
  const sgd = d.optimizer.kind === 'sgd' ? d.optimizer : defaultOptimizer('sgd');
  return cmd
    .option('--config <file>', 'JSON model config (a partial ModelConfig); flags override it')
    .option('--name <name>', 'artifact folder name (default: <model>_<loss>)')
    .addOption(new Option('--model <encoder>', 'encoder').choices(ENCODER_NAMES).default(d.encoder))
    .addOption(new Option('--stem <stem>', 'ResNet stem').choices(STEMS).default(d.stem))
    .option('--width <n>', 'small CNN base width', number, d.width)
    .option('--size <n>', 'input side H = W', number, d.inputSize)
    .option('--channels <n>', 'input channels', number, d.inputChannels)
    .option('--classes <n>', 'number of classes', number, d.numClasses)
    .addOption(new Option('--head <kind>', 'projection head').choices(HEADS).default(d.head))
    .option('--head-hidden <n>', 'MLP head hidden width (0 = encoder dim)', number, d.headHidden)
    .option('--feat-dim <n>', 'projection dimension', number, d.featDim)
    .option('--normalize', 'L2-normalise the encoder output', d.normalizeEncoder)
    .addOption(new Option('--loss <loss>', 'stage-1 loss').choices(LOSSES).default(d.loss))
    .option('--temperature <t>', 'SupCon temperature tau', number, d.temperature)
    .option('--base-temperature <t>', 'loss scaled by tau / base (0 = tau)', number, d.baseTemperature)
    .addOption(new Option('--contrast-mode <mode>', 'SupCon anchors').choices(MODES).default(d.contrastMode))
    .option('--margin <m>', 'max-margin loss margin', number, d.margin)
    .option('--views <n>', 'views per image in stage 1', number, d.views)
    .option('--batch <n>', 'images per step', number, d.batchSize)
    .addOption(new Option('--optimizer <kind>', 'stage-1 and baseline optimizer').choices(OPTIMIZERS).default(d.optimizer.kind))
    .option('--momentum <m>', 'momentum (sgd, rmsprop, lars)', number, sgd.momentum)
    .option('--weight-decay <wd>', 'weight decay', number, sgd.weightDecay)
    .option('--nesterov', 'Nesterov momentum (sgd)', sgd.nesterov)
    .addOption(new Option('--linear-optimizer <kind>', 'stage-2 optimizer').choices(OPTIMIZERS).default(d.linearOptimizer.kind));
}

/** Copies fields of `source` over `base` where the types agree (`kind` stays). */
function overrideFields<T extends OptimizerConfig>(base: T, source: Readonly<Record<string, unknown>>): T {
  const out: T = { ...base };
  for (const key of Object.keys(base) as (keyof T & string)[]) {
    const v = source[key];
    if (key !== 'kind' && v !== undefined && typeof v === typeof base[key]) out[key] = v as T[keyof T & string];
  }
  return out;
}

/** An optimizer config from JSON: `kind` picks PyTorch's defaults, the other fields override them. */
export function parseOptimizer(value: unknown, what: string): OptimizerConfig {
  if (typeof value !== 'object' || value === null) throw new Error(`${what} must be an object with a kind`);
  const source = Object.fromEntries(Object.entries(value));
  return overrideFields(defaultOptimizer(oneOf(OPTIMIZERS, source.kind, `${what}.kind`)), source);
}

/** A partial ModelConfig from parsed JSON, checking every field's type; unknown keys are an error. */
export function parseModelConfig(json: unknown): Partial<ModelConfig> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new Error('model config must be a JSON object');
  const src = Object.fromEntries(Object.entries(json));
  const known = defaultModelConfig();
  const unknown = Object.keys(src).filter((k) => !(k in known));
  if (unknown.length > 0) throw new Error(`unknown model config keys: ${unknown.join(', ')}`);
  const out: Partial<ModelConfig> = {};
  for (const key of Object.values(NUMBER_FLAGS)) {
    if (src[key] === undefined) continue;
    if (typeof src[key] !== 'number') throw new Error(`${key} must be a number`);
    out[key] = src[key];
  }
  if (typeof src.name === 'string') out.name = src.name;
  if (src.normalizeEncoder !== undefined) out.normalizeEncoder = src.normalizeEncoder === true;
  if (src.encoder !== undefined) out.encoder = oneOf<EncoderName>(ENCODER_NAMES, src.encoder, 'encoder');
  if (src.stem !== undefined) out.stem = oneOf(STEMS, src.stem, 'stem');
  if (src.head !== undefined) out.head = oneOf(HEADS, src.head, 'head');
  if (src.loss !== undefined) out.loss = oneOf(LOSSES, src.loss, 'loss');
  if (src.contrastMode !== undefined) out.contrastMode = oneOf(MODES, src.contrastMode, 'contrastMode');
  if (src.optimizer !== undefined) out.optimizer = parseOptimizer(src.optimizer, 'optimizer');
  if (src.linearOptimizer !== undefined) out.linearOptimizer = parseOptimizer(src.linearOptimizer, 'linearOptimizer');
  return out;
}

/** Raw values of the flags added by `addModelOptions`. */
interface Flags extends Record<keyof typeof NUMBER_FLAGS, number> {
  config?: string;
  name?: string;
  model: EncoderName;
  stem: Stem;
  head: HeadKind;
  normalize: boolean;
  loss: ContrastiveLoss;
  contrastMode: ModelConfig['contrastMode'];
  optimizer: OptimizerKind;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  linearOptimizer: OptimizerKind;
}

/** The config of the parsed command: defaults, then `file` (from --config), then flags given on the command line. */
export function modelConfigFrom(cmd: Command, file: Partial<ModelConfig> = {}): ModelConfig {
  const flags = cmd.opts<Flags>();
  const given = (key: string): boolean => cmd.getOptionValueSource(key) === 'cli';
  const over: Partial<ModelConfig> = { ...file };
  for (const flag of Object.keys(NUMBER_FLAGS) as (keyof typeof NUMBER_FLAGS)[]) {
    if (given(flag)) over[NUMBER_FLAGS[flag]] = flags[flag];
  }
  if (given('name') && flags.name) over.name = flags.name;
  if (given('model')) over.encoder = flags.model;
  if (given('stem')) over.stem = flags.stem;
  if (given('head')) over.head = flags.head;
  if (given('normalize')) over.normalizeEncoder = flags.normalize;
  if (given('loss')) over.loss = flags.loss;
  if (given('contrastMode')) over.contrastMode = flags.contrastMode;
  if (given('optimizer')) over.optimizer = defaultOptimizer(flags.optimizer);
  if (given('linearOptimizer')) over.linearOptimizer = defaultOptimizer(flags.linearOptimizer);
  // --momentum, --weight-decay and --nesterov (given or default) shape the optimizer unless it comes
  // from the config file and the flag was not given.
  const apply = (key: string): boolean => given(key) || file.optimizer === undefined || given('optimizer');
  const tweaks: Record<string, unknown> = {};
  if (apply('momentum')) tweaks.momentum = flags.momentum;
  if (apply('weightDecay')) tweaks.weightDecay = flags.weightDecay;
  if (apply('nesterov')) tweaks.nesterov = flags.nesterov;
  const cfg = defaultModelConfig(over);
  cfg.optimizer = overrideFields(cfg.optimizer, tweaks);
  if (over.name === undefined) cfg.name = `${cfg.encoder}_${cfg.loss}`;
  validateModelConfig(cfg);
  return cfg;
}

/** Errors that would otherwise surface deep inside graph construction. */
export function validateModelConfig(cfg: ModelConfig): void {
  const positiveInt = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 1) throw new Error(`${what} must be a positive integer, got ${v}`);
  };
  positiveInt(cfg.width, 'width');
  positiveInt(cfg.inputSize, 'inputSize');
  positiveInt(cfg.inputChannels, 'inputChannels');
  positiveInt(cfg.numClasses, 'numClasses');
  positiveInt(cfg.featDim, 'featDim');
  positiveInt(cfg.views, 'views');
  positiveInt(cfg.batchSize, 'batchSize');
  if (!Number.isInteger(cfg.headHidden) || cfg.headHidden < 0) throw new Error(`headHidden must be >= 0, got ${cfg.headHidden}`);
  if (!(cfg.temperature > 0) || cfg.baseTemperature < 0) throw new Error('temperature must be > 0 and baseTemperature >= 0');
  if (!/^[\w.-]+$/.test(cfg.name)) throw new Error(`name ${cfg.name} must be a plain folder name`);
}
