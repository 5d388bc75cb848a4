// When a stage evaluates at the end of an epoch (kNN accuracy of the encoder, or test accuracy): every
// `every` epochs, or, with every = 0 (auto), whenever the evaluations so far plus one more stay within
// EVAL_SHARE of the stage's time, so that a cheap evaluation runs every epoch and a costly one (a
// ResNet's kNN pass on photos) as often as the budget allows. The last epoch is always evaluated: its
// numbers are the stage's summary.

/** The share of a stage's wall time that automatic evaluation may take. */
export const EVAL_SHARE = 0.1;

export class EvalSchedule {
  private trainSeconds = 0;
  private evalSeconds = 0;
  private evaluations = 0;

  constructor(
    private readonly every: number,
    private readonly epochs: number,
  ) {}

  /** Whether the end of `epoch` (0-based) is evaluated. */
  due(epoch: number): boolean {
    if (epoch + 1 >= this.epochs) return true;
    if (this.every > 0) return (epoch + 1) % this.every === 0;
    const next = this.evaluations > 0 ? this.evalSeconds / this.evaluations : 0; // the first one is free to find its cost
    return this.evalSeconds + next <= EVAL_SHARE * (this.trainSeconds + this.evalSeconds + next);
  }

  /** Time an epoch's steps took, and its evaluation if it had one. */
  record(trainSeconds: number, evalSeconds?: number): void {
    this.trainSeconds += trainSeconds;
    if (evalSeconds !== undefined) {
      this.evalSeconds += evalSeconds;
      this.evaluations++;
    }
  }

  /** 'every epoch', 'every 3 epochs', or the share actually spent: for the stage's summary line. */
  describe(): string {
    if (this.every > 0) return this.every === 1 ? 'every epoch' : `every ${this.every} epochs`;
    const share = this.trainSeconds + this.evalSeconds > 0 ? this.evalSeconds / (this.trainSeconds + this.evalSeconds) : 0;
    return `${this.evaluations} of ${this.epochs} epochs (${(share * 100).toFixed(0)}% of the stage's time)`;
  }
}
