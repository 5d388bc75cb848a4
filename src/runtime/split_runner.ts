// The host loop of a split training step (graphs/split_step.ts): gradient graph(s), then the apply graph,
// over one held state. Whole: the gradient graph gives `loss` and `grad.<param>` for the batch. Chunked
// (GradCache): the forward graph runs per chunk of C rows and its rows (and momentum keys) are gathered,
// the loss graph gives `loss` and `rows_grad` for all M rows, the backward graph runs per chunk with its
// slice of rows_grad and sums into the held `grad.<param>` (`accumulate` 0 on the first chunk, 1 after),
// and the apply graph updates. Per-step feeds that the chunk graphs take (images) are cut into chunks
// along their first dimension without copying; the others (labels) go to the loss graph whole.

import { ACCUMULATE_INPUT, GRAD_PREFIX, KEYS, LR_INPUT, ROWS, ROWS_GRAD, STEP_INPUT, UPDATED_PREFIX } from '../../graphs/step.ts';
import { HeldState } from './held_state.ts';
import { type GraphModel, type HostTensor, ort, toOrt } from './session.ts';
import { checkStepFeeds } from './step_contract.ts';
import { type SessionFactory, type StepResult, type StepSession, type Stepper, cpuSessionFactory, lossOf, scalarTensor } from './step_runner.ts';

export type SplitGradientModels =
  | { kind: 'whole'; gradient: GraphModel }
  | { kind: 'chunked'; chunk: number; forward: GraphModel; loss: GraphModel; backward: GraphModel };

export interface SplitModels {
  gradient: SplitGradientModels;
  apply: GraphModel;
  /** `grad.<param>` between the gradient and apply graphs: held from creation on (zeros), never in `state()`. */
  gradients: readonly { name: string; shape: readonly number[] }[];
}

export interface SplitRunnerOptions {
  /** Graph inputs fed per step (images, labels). */
  feeds: readonly string[];
  session?: SessionFactory;
}

type Sessions =
  | { kind: 'whole'; gradient: StepSession }
  | { kind: 'chunked'; chunk: number; forward: StepSession; loss: StepSession; backward: StepSession };

const isGradient = (name: string): boolean => name.startsWith(GRAD_PREFIX);

export class SplitStepRunner implements Stepper {
  private constructor(
    private readonly sessions: Sessions,
    private readonly apply: StepSession,
    private readonly held: HeldState,
    private readonly feedNames: readonly string[],
  ) {}

  /** Creates the sessions and checks that every input of each is fed per step, passed between them or held. */
  static async create(models: SplitModels, initial: ReadonlyMap<string, HostTensor>, options: SplitRunnerOptions): Promise<SplitStepRunner> {
    const factory = options.session ?? cpuSessionFactory();
    const g = models.gradient;
    const sessions: Sessions = g.kind === 'whole'
      ? { kind: 'whole', gradient: await factory(g.gradient) }
      : { kind: 'chunked', chunk: g.chunk, forward: await factory(g.forward), loss: await factory(g.loss), backward: await factory(g.backward) };
    const apply = await factory(models.apply);
    const state = new Map(initial);
    for (const { name, shape } of models.gradients) state.set(name, { dtype: 'float32', dims: [...shape], data: new Float32Array(shape.reduce((a, d) => a * d, 1)) });
    const runner = new SplitStepRunner(sessions, apply, await HeldState.create(state, apply), options.feeds);
    try {
      runner.check(options.feeds);
    } catch (err) {
      await runner.release();
      throw err;
    }
    return runner;
  }

  /** Every input of every graph fed per step, passed between the graphs or held; every `updated.X` held. */
  private check(feeds: readonly string[]): void {
    const s = this.sessions;
    const named = s.kind === 'whole' ? { gradient: s.gradient, apply: this.apply } : { forward: s.forward, loss: s.loss, backward: s.backward, apply: this.apply };
    const between = [LR_INPUT, STEP_INPUT, ACCUMULATE_INPUT, ROWS, ROWS_GRAD, KEYS];
    const missing = Object.entries(named).flatMap(([what, session]) => {
      const names = this.held.missing(session, [...feeds, ...between]);
      return names.length > 0 ? [`${what}: ${names.join(', ')}`] : [];
    });
    if (missing.length > 0) throw new Error(`SplitStepRunner: graph inputs neither fed per step nor held in state: ${missing.join('; ')}`);
    const orphans = Object.values(named).flatMap((session) => session.outputNames.filter((n) => n.startsWith(UPDATED_PREFIX) && !this.held.has(n.slice(UPDATED_PREFIX.length))));
    if (orphans.length > 0) throw new Error(`SplitStepRunner: outputs without a state entry to update: ${orphans.join(', ')}`);
  }

  async run(feeds: Record<string, HostTensor>, lr: number, step: number): Promise<StepResult> {
    const rest = await this.gradientPhase(feeds);
    this.held.absorb(await this.apply.run(this.held.feeds(this.apply, { [LR_INPUT]: scalarTensor(lr), [STEP_INPUT]: scalarTensor(step) })));
    const outputs = Object.fromEntries(await this.held.hostCopies(rest));
    return { loss: lossOf(outputs, 'SplitStepRunner.run'), outputs };
  }

  /**
   * The gradient half of a step alone: loss, metrics and `grad.<param>` of the batch on the host. Buffers
   * and the queue move on as in `run`; the parameters do not (what a data-parallel worker would send).
   */
  async gradients(feeds: Record<string, HostTensor>): Promise<StepResult & { gradients: Map<string, HostTensor> }> {
    const outputs = Object.fromEntries(await this.held.hostCopies(await this.gradientPhase(feeds)));
    return { loss: lossOf(outputs, 'SplitStepRunner.gradients'), outputs, gradients: await this.held.toHost(isGradient) };
  }

  private async gradientPhase(feeds: Record<string, HostTensor>): Promise<Map<string, ort.Tensor>> {
    checkStepFeeds('SplitStepRunner', this.feedNames, Object.keys(feeds));
    return this.sessions.kind === 'whole' ? this.wholeGradient(this.sessions.gradient, feeds) : this.chunkedGradient(this.sessions, feeds);
  }

  /** Params, buffers, optimizer state, queue and momentum encoder; not the summed gradients. */
  async state(): Promise<Map<string, HostTensor>> {
    return this.held.toHost((name) => !isGradient(name));
  }

  async release(): Promise<void> {
    this.held.release();
    const all = this.sessions.kind === 'whole' ? [this.sessions.gradient] : [this.sessions.forward, this.sessions.loss, this.sessions.backward];
    for (const s of [...all, this.apply]) await s.release?.();
  }

  private async wholeGradient(session: StepSession, feeds: Record<string, HostTensor>): Promise<Map<string, ort.Tensor>> {
    const given = Object.fromEntries(Object.entries(feeds).map(([name, t]) => [name, toOrt(t)]));
    const rest = this.held.absorb(await session.run(this.held.feeds(session, given)));
    for (const [name, t] of rest) if (isGradient(name)) this.held.put(name, t);
    return new Map([...rest].filter(([name]) => !isGradient(name)));
  }

  private async chunkedGradient(s: Extract<Sessions, { kind: 'chunked' }>, feeds: Record<string, HostTensor>): Promise<Map<string, ort.Tensor>> {
    const chunked = new Set(this.feedNames.filter((n) => s.forward.inputNames.includes(n)));
    const rows = this.rowsOf(feeds, chunked, s.chunk);
    const count = rows / s.chunk;
    const chunkFeeds = (k: number): Record<string, ort.Tensor> =>
      Object.fromEntries([...chunked].map((name) => [name, toOrt(sliceRows(feeds[name]!, k * s.chunk, s.chunk))]));

    // (a) rows (and keys) of every chunk, gathered in order.
    const gathered = new Map<string, HostTensor>();
    for (let k = 0; k < count; k++) {
      const out = await s.forward.run(this.held.feeds(s.forward, chunkFeeds(k)));
      for (const [name, t] of Object.entries(out)) {
        const data = t.data as Float32Array;
        const all = gathered.get(name) ?? { dtype: 'float32', dims: [rows, ...t.dims.slice(1)], data: new Float32Array(count * data.length) };
        (all.data as Float32Array).set(data, k * data.length);
        gathered.set(name, all);
      }
    }
    // (b) the loss over all rows and its gradient by row (the queue is updated here).
    const whole = Object.fromEntries([...Object.entries(feeds).filter(([n]) => !chunked.has(n)), ...gathered].map(([n, t]) => [n, toOrt(t)]));
    const rest = this.held.absorb(await s.loss.run(this.held.feeds(s.loss, whole)));
    const rowsGrad = rest.get(ROWS_GRAD);
    if (!rowsGrad) throw new Error(`SplitStepRunner: the loss graph has no ${ROWS_GRAD} output`);
    rest.delete(ROWS_GRAD);
    const upstream = { dtype: 'float32' as const, dims: [...rowsGrad.dims], data: rowsGrad.data as Float32Array };
    // (c) each chunk's backward from its slice of rows_grad, summed into grad.<param>.
    for (let k = 0; k < count; k++) {
      const given = { ...chunkFeeds(k), [ROWS_GRAD]: toOrt(sliceRows(upstream, k * s.chunk, s.chunk)), [ACCUMULATE_INPUT]: scalarTensor(k === 0 ? 0 : 1) };
      this.held.absorb(await s.backward.run(this.held.feeds(s.backward, given)));
    }
    return rest;
  }

  /** The rows of the step: the first dimension of the chunked feeds, which must agree and split into chunks. */
  private rowsOf(feeds: Record<string, HostTensor>, chunked: ReadonlySet<string>, chunk: number): number {
    const sizes = [...chunked].map((n) => feeds[n]!.dims[0] ?? 0);
    const rows = sizes[0];
    if (rows === undefined || sizes.some((r) => r !== rows) || rows % chunk !== 0) {
      throw new Error(`SplitStepRunner.run: feeds ${[...chunked].join(', ')} have ${sizes.join(', ')} rows, which must be equal and split into chunks of ${chunk}`);
    }
    return rows;
  }
}

/** Rows [start, start + count) of t along its first dimension, as a view (no copy). */
function sliceRows(t: HostTensor, start: number, count: number): HostTensor {
  const rowSize = t.dims.slice(1).reduce((a, d) => a * d, 1);
  return { dtype: t.dtype, dims: [count, ...t.dims.slice(1)], data: t.data.subarray(start * rowSize, (start + count) * rowSize) };
}
