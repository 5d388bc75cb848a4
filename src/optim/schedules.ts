// Host-side learning-rate schedules: pure functions of the 0-based index of the step about to run
// (0 .. totalSteps - 1); the result is fed to the step graph's `lr` input.
//
// Epoch-based schedules (step decay, exponential) change at epoch boundaries, epoch = floor(step /
// stepsPerEpoch), as PyTorch's MultiStepLR / ExponentialLR stepped once per epoch. Cosine anneals per step
// from baseLr at step 0 to minFactor * baseLr at step totalSteps (the SupContrast reference anneals the same
// curve per epoch, to lr * lr_decay_rate^3 = 1e-3 * lr).
//
// Warmup (SupContrast's `warmup_learning_rate`): for step < warmup.steps the rate rises linearly from
// startFactor * baseLr to the schedule's own value at step warmup.steps, so the curve is continuous there;
// afterwards the schedule is not shifted. A warm-up must end before the run does: its target would
// otherwise be the schedule's value past the end (for cosine its minimum), and the rate would ramp down.

export interface Warmup {
  steps: number;
  /** Fraction of baseLr at step 0; 0.01 when absent. */
  startFactor?: number;
}

/** The shape of the curve, without warm-up. */
export type Schedule =
  | { kind: 'constant' }
  /** lr = baseLr * gamma^(number of milestones <= epoch); milestones in epochs. */
  | { kind: 'step'; milestones: readonly number[]; gamma: number }
  /** lr = baseLr * gamma^epoch. */
  | { kind: 'exponential'; gamma: number }
  /** lr = min + (baseLr - min) * (1 + cos(pi * step / totalSteps)) / 2, min = minFactor * baseLr. */
  | { kind: 'cosine'; minFactor: number };

export type ScheduleKind = Schedule['kind'];
export const SCHEDULE_KINDS: readonly ScheduleKind[] = ['constant', 'step', 'exponential', 'cosine'];

export type ScheduleConfig = Schedule & { warmup?: Warmup };

function scheduled(config: Schedule, baseLr: number, step: number, totalSteps: number, stepsPerEpoch: number): number {
  const epoch = Math.floor(step / stepsPerEpoch);
  switch (config.kind) {
    case 'constant':
      return baseLr;
    case 'step':
      return baseLr * config.gamma ** config.milestones.filter((m) => m <= epoch).length;
    case 'exponential':
      return baseLr * config.gamma ** epoch;
    case 'cosine': {
      const min = config.minFactor * baseLr;
      const t = Math.min(step / totalSteps, 1);
      return min + ((baseLr - min) * (1 + Math.cos(Math.PI * t))) / 2;
    }
  }
}

/** The learning rate of 0-based step `step` out of `totalSteps`, with `stepsPerEpoch` steps per epoch. */
export function learningRate(config: ScheduleConfig, baseLr: number, step: number, totalSteps: number, stepsPerEpoch: number): number {
  if (!(totalSteps > 0) || !(stepsPerEpoch > 0)) throw new RangeError(`learningRate: totalSteps ${totalSteps} and stepsPerEpoch ${stepsPerEpoch} must be positive`);
  if (!(step >= 0)) throw new RangeError(`learningRate: step ${step} must be >= 0`);
  const warmup = config.warmup;
  if (warmup && warmup.steps >= totalSteps) throw new RangeError(`learningRate: a warm-up of ${warmup.steps} steps does not end within the run's ${totalSteps} steps`);
  if (warmup && step < warmup.steps) {
    const start = (warmup.startFactor ?? 0.01) * baseLr;
    const target = scheduled(config, baseLr, warmup.steps, totalSteps, stepsPerEpoch);
    return start + (step / warmup.steps) * (target - start);
  }
  return scheduled(config, baseLr, step, totalSteps, stepsPerEpoch);
}
