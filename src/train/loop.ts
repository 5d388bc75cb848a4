// The stage loop, top to bottom as nanoGPT's: set the learning rate, run one step graph, check the loss,
// log, checkpoint every N steps, evaluate and checkpoint at every epoch end but the last (the stage
// writes that one itself, with its summary), stop.

import { learningRate, type ScheduleConfig } from '../optim/index.ts';
import type { HostTensor } from '../runtime/session.ts';
import type { Stepper } from '../runtime/step_runner.ts';
import type { StageName } from '../config/train_config.ts';
import type { Position } from './checkpoint.ts';
import type { MetricsLog } from './metrics_log.ts';
import { EvalSchedule } from './eval_schedule.ts';
import { createProgress } from './progress.ts';

export class NonFiniteLossError extends Error {
  override name = 'NonFiniteLossError';
}

export interface StepBatch {
  /** Per-step graph feeds (images, labels or features). */
  feeds: Record<string, HostTensor>;
  /** Images (or feature rows) in this step, for throughput. */
  images: number;
}

export interface StageLoopSpec {
  stage: StageName;
  runner: Stepper;
  epochs: number;
  stepsPerEpoch: number;
  /** Batches of an epoch from a given batch index on (resume mid-epoch). */
  batches: (epoch: number, startBatch: number) => AsyncIterable<StepBatch>;
  baseLr: number;
  schedule: ScheduleConfig;
  start: Position;
  log: MetricsLog;
  checkpointEvery: number;
  /** Saves the runner's state at `position` (the next step to run). */
  checkpoint: (position: Position) => Promise<void>;
  /** End-of-epoch evaluation; its numbers are logged and shown. */
  evaluate?: (epoch: number) => Promise<Record<string, number>>;
  /** Evaluate every this many epochs (0: as often as stays within EVAL_SHARE of the stage's time); always after the last. */
  evalEvery: number;
}

export interface StageLoopResult {
  steps: number;
  finalLoss: number;
  /** Wall time in the step loop (data waits included, evaluation excluded). */
  seconds: number;
  imagesPerSecond: number;
  /** Throughput of the ORT step alone: the gap to imagesPerSecond is time spent waiting for data. */
  stepImagesPerSecond: number;
  lastEval: Record<string, number>;
}

export async function runStageLoop(spec: StageLoopSpec): Promise<StageLoopResult> {
  const { stage, runner, epochs, stepsPerEpoch, log } = spec;
  const totalSteps = epochs * stepsPerEpoch;
  const schedule = new EvalSchedule(spec.evalEvery, epochs);
  let step = spec.start.step;
  let finalLoss = Number.NaN;
  let lastEval: Record<string, number> = {};
  let images = 0;
  let busySeconds = 0;
  let loopSeconds = 0;

  for (let epoch = spec.start.epoch; epoch < epochs; epoch++) {
    const progress = createProgress(`${stage} epoch ${epoch + 1}/${epochs}`, stepsPerEpoch, epoch === spec.start.epoch ? spec.start.batch : 0);
    let batchIndex = epoch === spec.start.epoch ? spec.start.batch : 0;
    let lossSum = 0;
    let lossCount = 0;
    let accuracySum = 0;
    let accuracyCount = 0;
    const epochStart = performance.now();
    for await (const batch of spec.batches(epoch, batchIndex)) {
      if (batchIndex >= stepsPerEpoch) break;
      const lr = learningRate(spec.schedule, spec.baseLr, step, totalSteps, stepsPerEpoch);
      const t0 = performance.now();
      const { loss, outputs } = await runner.run(batch.feeds, lr, step + 1);
      const seconds = (performance.now() - t0) / 1000;
      if (!Number.isFinite(loss)) {
        log.write({ kind: 'error', stage, epoch, step, loss: String(loss), lr });
        throw new NonFiniteLossError(
          `${stage}: loss became ${loss} at step ${step + 1} (epoch ${epoch + 1}, batch ${batchIndex + 1}, lr ${lr.toExponential(3)}); ` +
            'the last checkpoint is intact: lower the learning rate and resume',
        );
      }
      step++;
      batchIndex++;
      images += batch.images;
      busySeconds += seconds;
      lossSum += loss;
      lossCount++;
      finalLoss = loss;
      const accuracy = outputs.accuracy ? Number(outputs.accuracy.data[0]) : undefined;
      if (accuracy !== undefined) {
        accuracySum += accuracy;
        accuracyCount++;
      }
      log.write({ kind: 'step', stage, epoch, step, loss, lr, images_per_s: batch.images / seconds, ...(accuracy === undefined ? {} : { accuracy }) });
      progress.update(batchIndex, { loss, lr, imagesPerSecond: batch.images / seconds });
      if (step % spec.checkpointEvery === 0 && batchIndex < stepsPerEpoch) await spec.checkpoint({ stage, epoch, batch: batchIndex, step });
    }
    progress.stop();
    const epochSeconds = (performance.now() - epochStart) / 1000;
    loopSeconds += epochSeconds;
    let evaluated: Record<string, number> = {};
    if (spec.evaluate && schedule.due(epoch)) {
      const t0 = performance.now();
      evaluated = await spec.evaluate(epoch);
      schedule.record(epochSeconds, (performance.now() - t0) / 1000);
      lastEval = evaluated;
    } else {
      schedule.record(epochSeconds);
    }
    // Mean accuracy of the training batches (graphs with a classifier report it per step).
    if (accuracyCount > 0) lastEval = { ...lastEval, train_accuracy: accuracySum / accuracyCount };
    const shownEval = accuracyCount > 0 ? { train_accuracy: accuracySum / accuracyCount, ...evaluated } : evaluated;
    log.write({ kind: 'epoch', stage, epoch, step, loss: lossCount ? lossSum / lossCount : null, ...shownEval });
    const shown = Object.entries(shownEval).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    process.stderr.write(`${stage} epoch ${epoch + 1}/${epochs}: mean loss ${(lossSum / Math.max(lossCount, 1)).toFixed(4)}${shown ? `, ${shown}` : ''}\n`);
    if (epoch + 1 < epochs) await spec.checkpoint({ stage, epoch: epoch + 1, batch: 0, step });
  }
  if (spec.evaluate) process.stderr.write(`${stage}: evaluated ${schedule.describe()}\n`);
  return {
    steps: step,
    finalLoss,
    seconds: loopSeconds,
    imagesPerSecond: loopSeconds > 0 ? images / loopSeconds : 0,
    stepImagesPerSecond: busySeconds > 0 ? images / busySeconds : 0,
    lastEval,
  };
}
