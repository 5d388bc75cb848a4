// A wall-clock budget turned into epochs: `train --minutes M` fits a run to M minutes, `compare --minutes
// M` gives every method the same training time. Each stage is calibrated on this machine before the run
// (a few real steps through its own feeds, one end-of-epoch evaluation, stage 2's feature pass), and the
// epochs are the most that fit:
//   one stage  E = (budget - final test pass) / (steps x step time + evaluation)   (baseline, supcon+ce)
//   SupCon     a linear stage 2 keeps its epochs (cheap on precomputed features) and stage 1 gets what is
//              left; a fine-tuning stage 2 gets FINETUNE_SHARE of the budget
// The warm-up keeps its share of the run. The estimate is printed and the run's wall time reported.

import { buildLogits } from '../../graphs/stages.ts';
import { resolveTrainConfig } from '../config/resolve.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import { initialState } from '../runtime/init.ts';
import { sessionFactory } from '../runtime/providers.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import { type RunData, planSteps, stagesOf } from './run_context.ts';
import { openRunData } from './run_data.ts';
import { type StageSpec, freshState, withStage } from './stage.ts';
import { stageModel } from './stage_model.ts';
import { EVAL_SHARE } from './eval_schedule.ts';
import { type StageEnv, baselineSpec, stage1Spec, stage2Spec, testAccuracy } from './stages.ts';

/** Untimed steps first: ONNX Runtime's first runs of a session are slower (measured ~30% over 1 step). */
const WARMUP_STEPS = 3;
/** Timed steps per stage (past the loader's 4 prefetched batches, so data waits show). */
const CALIBRATION_STEPS = 8;

export interface StageTiming {
  stage: StageName;
  stepsPerEpoch: number;
  secondsPerStep: number;
  /** End-of-epoch evaluation. */
  evalSeconds: number;
  /** Once per stage before its first step (stage 2: the encoder's pass over both splits). */
  openSeconds: number;
}

export interface BudgetPlan {
  config: TrainConfig;
  timings: StageTiming[];
  /** Predicted training seconds with the chosen epochs. */
  estimateSeconds: number;
}

const now = (): number => performance.now() / 1000;

async function timeStage(env: StageEnv, spec: StageSpec, stepsPerEpoch: number, sessions: SessionFactory): Promise<StageTiming> {
  const built = spec.build(spec.model);
  const opened = now();
  return withStage(spec, built, freshState(spec, built, 0), sessions, async (runner, source) => {
    const openSeconds = now() - opened; // the feeds' start (stage 2: the encoder's pass) and the session
    // Untimed warm-up steps, then CALIBRATION_STEPS timed ones, over as many epochs as that takes.
    const total = WARMUP_STEPS + CALIBRATION_STEPS;
    let done = 0;
    let t = now();
    for (let epoch = 0; done < total; epoch++) {
      let batches = 0;
      for await (const batch of source.batches(epoch, 0)) {
        if (batches++ >= stepsPerEpoch || done >= total) break;
        await runner.run(batch.feeds, env.config[spec.stage].lr * 1e-3, done + 1);
        if (++done === WARMUP_STEPS) t = now();
      }
      if (batches === 0) throw new Error(`${spec.stage}: the feeds yield no batch to calibrate on`);
    }
    const secondsPerStep = (now() - t) / CALIBRATION_STEPS;
    t = now();
    await spec.evaluate(new Map([...(spec.carried ?? []), ...(await runner.state())]));
    return { stage: spec.stage, stepsPerEpoch, secondsPerStep, evalSeconds: now() - t, openSeconds };
  });
}

/**
 * A stage's seconds over `epochs`: its steps, plus the end-of-epoch evaluations its schedule runs (every
 * `every` epochs, or within EVAL_SHARE of the stage's time; the last epoch always).
 */
function stageSeconds(t: StageTiming, epochs: number, every: number): number {
  const steps = epochs * t.stepsPerEpoch * t.secondsPerStep;
  const evaluations = every > 0 ? Math.floor((epochs - 1) / every) * t.evalSeconds : Math.min((epochs - 1) * t.evalSeconds, (EVAL_SHARE / (1 - EVAL_SHARE)) * steps);
  return steps + evaluations + t.evalSeconds;
}

/** The most epochs (at least 1) of stage `t` whose stageSeconds fit `seconds`. */
function epochsWithin(t: StageTiming, seconds: number, every: number): number {
  let epochs = Math.max(1, Math.floor(seconds / (t.stepsPerEpoch * t.secondsPerStep + t.evalSeconds)));
  while (stageSeconds(t, epochs + 1, every) <= seconds) epochs++;
  return epochs;
}

export interface Calibration {
  timings: StageTiming[];
  /** The final test pass (classifier runs). */
  fixedSeconds: number;
}

/** Times a few real steps of every stage the run trains, one end-of-epoch evaluation each, and the final test pass. */
export async function calibrate(config: TrainConfig, sessions: SessionFactory, data?: RunData): Promise<Calibration> {
  const opened = data ?? (await openRunData(config));
  const plan = planSteps(config, opened.train);
  const env: StageEnv = { config, data: opened, inputs: { sessions, norm: opened.shape.normalization, size: opened.shape.size } };
  // Timing does not depend on the values: a freshly initialised encoder + classifier serves every stage.
  const model = initialState(buildLogits(stageModel(config, opened.shape, 'eval')).params.list, [], 0);
  const timings: StageTiming[] = [];
  for (const stage of stagesOf(config)) {
    const spec = stage === 'stage1' ? stage1Spec(env) : stage === 'stage2' ? stage2Spec(env, model) : baselineSpec(env);
    timings.push(await timeStage(env, spec, plan[stage] ?? 1, sessions));
  }
  const t0 = now();
  if (config.method !== 'supcon' || config.stages !== 'stage1') await testAccuracy(env, model);
  return { timings, fixedSeconds: now() - t0 };
}

/**
 * Share of a two-stage SupCon budget that stage 2 gets when it fine-tunes the whole network (a linear
 * stage 2 on precomputed features keeps its epochs: it costs seconds).
 */
export const FINETUNE_SHARE = 0.25;

/** `config` with its trained stages' epochs chosen so that the run's training fits `seconds`, from a calibration. */
export function fitEpochs(config: TrainConfig, calibration: Calibration, seconds: number): BudgetPlan {
  const { timings, fixedSeconds } = calibration;
  const [first, second] = timings;
  if (!first) throw new Error('fitToBudget: the run has no stage');
  const available = seconds - fixedSeconds - timings.reduce((s, t) => s + t.openSeconds, 0);
  const every = config.eval.every;
  const patch: Record<string, { epochs: number; warmupEpochs: number }> = {};
  /** Fits stage `t` to `seconds`; returns the seconds its epochs take. */
  const fit = (t: StageTiming, seconds: number): number => {
    const epochs = epochsWithin(t, seconds, every);
    const share = config[t.stage].warmupEpochs / config[t.stage].epochs;
    patch[t.stage] = { epochs, warmupEpochs: share * epochs };
    return stageSeconds(t, epochs, every);
  };
  let estimate = fixedSeconds + timings.reduce((s, t) => s + t.openSeconds, 0);
  if (second && config.stage2.mode === 'finetune') {
    estimate += fit(first, available * (1 - FINETUNE_SHARE)) + fit(second, available * FINETUNE_SHARE);
  } else {
    const kept = second ? stageSeconds(second, config[second.stage].epochs, every) : 0;
    estimate += kept + fit(first, available - kept);
  }
  return { config: resolveTrainConfig([{ source: 'the time budget', values: patch }], config), timings, estimateSeconds: estimate };
}

/** `config` with the epochs of its stages chosen so that the whole training fits `seconds` on this machine. */
export async function fitToBudget(config: TrainConfig, seconds: number, sessions: SessionFactory, data?: RunData): Promise<BudgetPlan> {
  return fitEpochs(config, await calibrate(config, sessions, data), seconds);
}

/** What export and the report take after training (measured: 5-15 s on 2 cores for the photo folders of docs/recipes.md). */
export const AFTER_TRAINING_SECONDS = 15;

/**
 * `config` fitted to a whole run of `seconds` (`train --minutes`): the calibration's own time and the
 * export and report after training count against it. Prints the plan.
 */
export async function fitRunToBudget(config: TrainConfig, seconds: number, data?: RunData): Promise<TrainConfig> {
  const started = now();
  const calibration = await calibrate(config, sessionFactory(config.ep, { threads: config.threads }), data);
  const plan = fitEpochs(config, calibration, seconds - (now() - started) - AFTER_TRAINING_SECONDS);
  const epochs = stagesOf(plan.config).map((s) => `${s} ${plan.config[s].epochs} epochs`).join(', ');
  process.stderr.write(`time budget: ${epochs} fit ${(seconds / 60).toFixed(1)} min (calibrated in ${(now() - started).toFixed(0)} s; training estimated at ${(plan.estimateSeconds / 60).toFixed(1)} min)\n`);
  return plan.config;
}
