// One training stage in the page: a step graph (graphs/stages.ts) run epoch by epoch over batches the
// caller builds, with a cosine-annealed learning rate, and an event per step and per epoch.

import type { BuiltGraph } from '../../graphs/stages.ts';
import { stepModel } from '../../graphs/step.ts';
import { learningRate } from '../../src/optim/schedules.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import type { StageName, StageOptions, TrainEvent } from './job.ts';
import { type PickedBackend, hostData, modelFor } from './web_session.ts';
import { WebStepRunner } from './web_step_runner.ts';

export interface StageSpec {
  stage: StageName;
  built: BuiltGraph;
  initial: ReadonlyMap<string, HostTensor>;
  options: StageOptions;
  target: PickedBackend;
  /** Graph inputs fed per step. */
  feeds: readonly string[];
  /** Index batches of an epoch; every epoch has the same number. */
  order(epoch: number): Int32Array[];
  batch(ids: Int32Array, epoch: number): Promise<Record<string, HostTensor>>;
  /** After each epoch, with the runner (to read its state): the held-out accuracy, if there is one to tell. */
  afterEpoch?(runner: WebStepRunner): Promise<number | undefined>;
}

export interface StageOutcome {
  runner: WebStepRunner;
  losses: number[];
  stepsPerSecond: number;
}

/** The annealing of every stage in the page: cosine to 1% of the base rate, no warm-up (few steps). */
const SCHEDULE = { kind: 'cosine', minFactor: 0.01 } as const;

/** Runs the stage; the returned runner holds the final state (the caller releases it). */
export async function runStage(spec: StageSpec, emit: (e: TrainEvent) => void): Promise<StageOutcome> {
  const { stage, options } = spec;
  const perEpoch = spec.order(0).length;
  const steps = perEpoch * options.epochs;
  const model = stepModel(spec.built.graph, spec.built);
  const runner = await WebStepRunner.create(modelFor(model.graph, model.options, spec.target), spec.initial, { feeds: spec.feeds, backend: spec.target.backend });
  const losses: number[] = [];
  let warm = 0; // when the first step (session warm-up) ended
  try {
    let step = 0;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      let sum = 0;
      for (const ids of spec.order(epoch)) {
        const lr = learningRate(SCHEDULE, options.lr, step, steps, perEpoch);
        const result = await runner.run(await spec.batch(ids, epoch), lr, step + 1);
        step++;
        if (!Number.isFinite(result.loss)) throw new Error(`the loss is ${result.loss} at step ${step}: lower the learning rate (${options.lr})`);
        if (step === 1) warm = performance.now();
        losses.push(result.loss);
        sum += result.loss;
        const accuracy = result.outputs['accuracy'];
        emit({
          kind: 'step', stage, step, steps, epoch: epoch + 1, loss: result.loss,
          ...(accuracy ? { accuracy: (await hostData(accuracy))[0]! } : {}),
          stepsPerSecond: step > 1 ? ((step - 1) * 1000) / (performance.now() - warm) : 0,
        });
      }
      const heldOutAccuracy = await spec.afterEpoch?.(runner);
      emit({ kind: 'epoch', stage, epoch: epoch + 1, epochs: options.epochs, loss: sum / perEpoch, ...(heldOutAccuracy === undefined ? {} : { heldOutAccuracy }) });
    }
  } catch (err) {
    await runner.release();
    throw err;
  }
  const stepsPerSecond = steps > 1 ? ((steps - 1) * 1000) / (performance.now() - warm) : 0;
  return { runner, losses, stepsPerSecond };
}
