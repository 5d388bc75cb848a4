// The label-aware memory queue of stage 1 (MoCo's queue, He et al. 2020, with SupCon's labels): a FIFO of
// K (projection, label) pairs from earlier steps that joins the contrast set of every anchor. A momentum
// encoder fills it: a copy of the encoder and head whose parameters follow the trained ones as an EMA,
//   theta_k <- m * theta_k + (1 - m) * theta_q   (after each update, so step t's keys use theta_k of step t - 1)
// which is MoCo's order of operations. With m = 0 the copy would equal the trained model, so the batch's own
// projections fill the queue instead and no second forward runs (a cross-batch memory, Wang et al. 2020).
// All in graph: the queue and the momentum encoder are state like the optimizer's (`updated.X` fed back).

import * as b from '../src/onnx/index.ts';
import type { Graph, Value } from '../src/onnx/index.ts';
import type { LargeBatchConfig } from './config.ts';
import type { LayerContext } from './layers.ts';
import { EMPTY_SLOT, type Memory } from './losses/supcon.ts';
import { type ParamInfo, ParamsWithoutBuffers } from './params.ts';
import { type StateInfo, UPDATED_PREFIX } from './step.ts';

export const QUEUE_FEATURES = 'queue.features';
export const QUEUE_LABELS = 'queue.labels';
export const MOMENTUM_PREFIX = 'momentum_encoder.';

export interface QueueConfig {
  size: number;
  momentum: number;
}

/** The queue as graph inputs of `g`: features [K, D], labels int64 [K] (EMPTY_SLOT until filled). */
export function queueInputs(g: Graph, size: number, dim: number): Memory {
  return { features: g.input(QUEUE_FEATURES, 'float32', [size, dim]), labels: g.input(QUEUE_LABELS, 'int64', [size]) };
}

/** Whether `cfg` keeps a queue filled by a momentum encoder (rather than by the batch's own rows). */
export const hasMomentumEncoder = (cfg: Pick<LargeBatchConfig, 'queueSize' | 'queueMomentum'>): boolean => cfg.queueSize > 0 && cfg.queueMomentum > 0;

/** The state of `cfg`'s queue (rows of `dim`) and momentum encoder (a copy of each of `trainable` at the start). */
export function queueState(cfg: Pick<LargeBatchConfig, 'queueSize' | 'queueMomentum'>, dim: number, trainable: readonly Pick<ParamInfo, 'name' | 'shape'>[]): StateInfo[] {
  if (cfg.queueSize === 0) return [];
  const queue: StateInfo[] = [
    { name: QUEUE_FEATURES, shape: [cfg.queueSize, dim] },
    { name: QUEUE_LABELS, shape: [cfg.queueSize], dtype: 'int64', init: { kind: 'fill', value: EMPTY_SLOT } },
  ];
  const copies: StateInfo[] = trainable.map((p) => ({ name: `${MOMENTUM_PREFIX}${p.name}`, shape: p.shape, init: { kind: 'copy', of: p.name } }));
  return hasMomentumEncoder(cfg) ? [...queue, ...copies] : queue;
}

/** `updated.queue.*`: this step's keys [M, D] and their labels [M] in front, the oldest entries dropped. */
export function enqueue(memory: Memory, keys: Value, labels: Value): Record<string, Value> {
  const size = Number(memory.labels.shape[0]);
  const newestFirst = (next: Value, old: Value): Value => b.slice(b.concat([next, old], 0), [0], [size], [0]);
  return {
    [`${UPDATED_PREFIX}${QUEUE_FEATURES}`]: newestFirst(b.stopGradient(keys), memory.features),
    [`${UPDATED_PREFIX}${QUEUE_LABELS}`]: newestFirst(labels, memory.labels),
  };
}

export interface MomentumTower {
  /** Keys of the images [R, D], from the momentum encoder (batch statistics, no gradient). */
  keys: Value;
  /** Its parameters: inputs `momentum_encoder.<param>` of `g`. */
  params: ParamInfo[];
}

/** The momentum encoder applied to `images` in `g`: the same tower under `momentum_encoder.` names. */
export function momentumTower(g: Graph, tower: (ctx: LayerContext, images: Value) => Value, images: Value): MomentumTower {
  const params = new ParamsWithoutBuffers(g);
  const keys = g.scope(MOMENTUM_PREFIX.slice(0, -1), () => tower({ params, training: true }, images));
  return { keys: b.stopGradient(keys), params: params.trainable() };
}

/**
 * What the queue stores of a step whose tower gave `rows` for `images`: the momentum encoder's keys (its
 * parameters then graph inputs of `g`), or the rows themselves without a momentum encoder.
 */
export function queueKeys(cfg: Pick<LargeBatchConfig, 'queueSize' | 'queueMomentum'>, tower: (ctx: LayerContext, images: Value) => Value, images: Value, rows: Value): MomentumTower {
  return hasMomentumEncoder(cfg) ? momentumTower(images.graph, tower, images) : { keys: rows, params: [] };
}

/**
 * `updated.momentum_encoder.<param>` = m * momentum_encoder.<param> + (1 - m) * updated.<param>, from
 * `outputs` of an update (the fused step or the apply graph); declares the momentum inputs unless given.
 */
export function emaOutputs(g: Graph, trainable: readonly Pick<ParamInfo, 'name' | 'shape'>[], momentum: number, outputs: Record<string, Value>, inputs?: ReadonlyMap<string, Value>): Record<string, Value> {
  const ema: Record<string, Value> = {};
  for (const p of trainable) {
    const name = `${MOMENTUM_PREFIX}${p.name}`;
    const updated = outputs[`${UPDATED_PREFIX}${p.name}`];
    if (!updated) throw new Error(`emaOutputs: no update of ${p.name}`);
    const current = inputs?.get(name) ?? g.input(name, 'float32', p.shape);
    ema[`${UPDATED_PREFIX}${name}`] = g.scope('momentum_update', () => b.add(b.mul(current, momentum), b.mul(updated, 1 - momentum)));
  }
  return ema;
}
