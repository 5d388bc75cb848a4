// A wall-clock budget turned into epochs: `compare --minutes M` gives every method the same training
// time. Each stage is calibrated on this machine before the run (a few real steps through its own feeds,
// one end-of-epoch evaluation, stage 2's feature pass), and the epochs are the most that fit:
//   baseline   E = (budget - final test pass) / (steps x step time + evaluation)
//   SupCon     stage 2 keeps its epochs (cheap on precomputed features); stage 1 gets what is left
// The warm-up keeps its share of the run. The estimate is printed and the run's wall time reported.

import { buildLogits } from '../../graphs/stages.ts';
import { resolveTrainConfig } from '../config/resolve.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import { initialState } from '../runtime/init.ts';
import type { SessionFactory } from '../runtime/step_runner.ts';
import { type RunData, planSteps, stagesOf } from './run_context.ts';
import { openRunData } from './run_data.ts';
import { type StageSpec, freshState, withStage } from './stage.ts';
import { stageModel } from './stage_model.ts';
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

const epochSeconds = (t: StageTiming): number => t.stepsPerEpoch * t.secondsPerStep + t.evalSeconds;

/** `config` with the epochs of its first stage chosen so that the whole training fits `seconds` on this machine. */
export async function fitToBudget(config: TrainConfig, seconds: number, sessions: SessionFactory, data?: RunData): Promise<BudgetPlan> {
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
  if (config.method === 'ce' || config.stages !== 'stage1') await testAccuracy(env, model);
  const fixed = now() - t0;

  const [first, ...rest] = timings;
  if (!first) throw new Error('fitToBudget: the run has no stage');
  const others = rest.reduce((s, t) => s + t.openSeconds + config[t.stage].epochs * epochSeconds(t), 0);
  const stage = first.stage;
  const epochs = Math.max(1, Math.floor((seconds - fixed - first.openSeconds - others) / epochSeconds(first)));
  const share = config[stage].warmupEpochs / config[stage].epochs;
  const fitted = resolveTrainConfig([{ source: 'the time budget', values: { [stage]: { epochs, warmupEpochs: share * epochs } } }], config);
  return { config: fitted, timings, estimateSeconds: fixed + first.openSeconds + epochs * epochSeconds(first) + others };
}
