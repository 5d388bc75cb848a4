// Defaults, then patches (a config file, flags, a grid point) merged in order, then validation: the
// only way a TrainConfig is made. A patch sets exactly the fields it names: `--optimizer sgd` over the
// default SGD keeps its momentum and weight decay, `--schedule cosine` keeps the warm-up. An object
// whose `kind` changes (sgd -> adam) starts from that kind's defaults, and a stage whose optimizer
// kind changes takes that optimizer's learning rate unless a patch sets one.

import { readFileSync } from 'node:fs';
import { OPTIMIZER_KINDS, type OptimizerConfig, type OptimizerKind, SCHEDULE_KINDS, type Schedule, defaultOptimizer } from '../optim/index.ts';
import { FLAGS, FlagError, type Patch } from './flags.ts';
import { ConfigError, validateTrainConfig } from './schema.ts';
import { type StageName, type TrainConfig, defaultTrainConfig } from './train_config.ts';

export interface ConfigPatch {
  /** Where it came from, for messages: '--lr', 'run.json', 'grid point 3'. */
  source: string;
  values: Patch;
}

/** Learning rate a stage takes when its optimizer changes kind: SGD and LARS ~0.1, adaptive methods ~1e-3. */
const OPTIMIZER_LR: Readonly<Record<OptimizerKind, number>> = { sgd: 0.1, lars: 0.1, adam: 1e-3, adamw: 1e-3, rmsprop: 1e-3 };

/** The optimizer a run starts from for each kind: PyTorch's defaults, with SupContrast's momentum and decay for SGD. */
function runOptimizer(kind: OptimizerKind): OptimizerConfig {
  return kind === 'sgd' ? { ...defaultOptimizer('sgd'), momentum: 0.9, weightDecay: 1e-4 } : defaultOptimizer(kind);
}

function scheduleDefaults(kind: Schedule['kind'], epochs: number): Schedule {
  switch (kind) {
    case 'constant': return { kind };
    case 'cosine': return { kind, minFactor: 0.001 };
    case 'exponential': return { kind, gamma: 0.9 };
    case 'step': return { kind, milestones: [...new Set([Math.round(epochs * 0.6), Math.round(epochs * 0.8)])].filter((m) => m >= 1), gamma: 0.1 };
  }
}

/** A fine-tuning stage 2 starts from stage 1's learning rate divided by this (docs/recipes.md). */
export const FINETUNE_LR_DIVISOR = 10;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `patch` over `base`: objects merge key by key, anything else replaces; a changed `kind` drops the old kind's fields. */
function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (!isObject(base) || !isObject(patch)) return patch;
  const restart = 'kind' in patch && patch.kind !== base.kind;
  const out: Json = restart ? {} : { ...base };
  for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v);
  return out;
}

const OPTIMIZER_STAGES: ReadonlyArray<readonly [StageName, 'optimizer' | 'linearOptimizer']> = [['stage1', 'optimizer'], ['baseline', 'optimizer'], ['stage2', 'linearOptimizer']];
const isKind = <K extends string>(kinds: readonly K[], v: unknown): v is K => kinds.some((k) => k === v);

/** Fills what a kind change left open: the new kind's fields, and the new optimizer's learning rate. */
function complete(config: Json, base: TrainConfig, patches: readonly ConfigPatch[]): void {
  const given = (stage: StageName, key: string): boolean => patches.some((p) => {
    const s = p.values[stage];
    return isObject(s) && s[key] !== undefined;
  });
  const model = config.model;
  for (const [stage, slot] of OPTIMIZER_STAGES) {
    const s = config[stage];
    const opt = isObject(model) ? model[slot] : undefined;
    if (!isObject(model) || !isObject(opt) || !isObject(s) || !isKind(OPTIMIZER_KINDS, opt.kind)) continue;
    model[slot] = { ...runOptimizer(opt.kind), ...opt };
    if (opt.kind !== base.model[slot].kind && !given(stage, 'lr')) s.lr = OPTIMIZER_LR[opt.kind];
  }
  // A fine-tuning stage 2 trains the encoder: it starts from stage 1's rate / FINETUNE_LR_DIVISOR (not the
  // linear classifier's 0.5) and stage 1's first view, unless a patch sets them.
  const { stage1, stage2 } = config;
  if (isObject(stage2) && isObject(stage1) && stage2.mode === 'finetune' && base.stage2.mode !== 'finetune') {
    if (!given('stage2', 'lr') && typeof stage1.lr === 'number') stage2.lr = stage1.lr / FINETUNE_LR_DIVISOR;
    if (!given('stage2', 'augmentation') && Array.isArray(stage1.views)) stage2.augmentation = stage1.views[0];
  }
  for (const stage of ['stage1', 'stage2', 'baseline'] as const) {
    const s = config[stage];
    if (!isObject(s) || !isObject(s.schedule) || !isKind(SCHEDULE_KINDS, s.schedule.kind)) continue;
    const epochs = typeof s.epochs === 'number' && s.epochs >= 1 ? s.epochs : 1;
    s.schedule = { ...scheduleDefaults(s.schedule.kind, epochs), ...s.schedule };
  }
}

/** The validated config: `base` (the defaults, or a stored run's config) with `patches` applied in order. */
export function resolveTrainConfig(patches: readonly ConfigPatch[], base: TrainConfig = defaultTrainConfig()): TrainConfig {
  let merged: unknown = structuredClone(base);
  for (const p of patches) {
    if (!isObject(p.values)) throw new ConfigError(`${p.source}: a config must be a JSON object`);
    merged = merge(merged, structuredClone(p.values));
  }
  if (isObject(merged)) complete(merged, base, patches);
  return validateTrainConfig(merged);
}

/** Patches of the given flags (flag name -> raw value, true/false for switches), in table order. */
export function flagPatches(given: ReadonlyMap<string, string | boolean>): ConfigPatch[] {
  const unknown = [...given.keys()].filter((name) => !FLAGS.some((f) => f.name === name));
  if (unknown.length > 0) throw new FlagError(`unknown flag ${unknown.join(', ')}`);
  return FLAGS.flatMap((f) => {
    const raw = given.get(f.name);
    return raw === undefined ? [] : [{ source: f.name, values: f.patch(raw) }];
  });
}

/** A JSON config file (a partial TrainConfig) as a patch; the file is named in every error about it. */
export function configFilePatch(path: string): ConfigPatch {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`--config ${path}: ${(err as Error).message}`);
  }
  if (!isObject(json)) throw new ConfigError(`--config ${path}: a config must be a JSON object (a partial TrainConfig)`);
  return { source: path, values: json };
}
