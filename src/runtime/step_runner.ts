// The host loop of a training step graph (graphs/step.ts): holds params, buffers and optimizer state,
// feeds them with the batch, `lr` and `step`, and replaces every input `X` by the output `updated.X`.
// State stays as ORT tensors between steps (no host copy on CPU; a device EP can keep them on device).

import { type HostTensor, type SessionOptions, createCpuSession, fromOrt, ort, toOrt } from './session.ts';

const UPDATED = 'updated.';

/** What the runner needs from an execution provider's session. */
export interface StepSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
}

/** Creates a session for model bytes; one per execution provider. */
export type SessionFactory = (model: Uint8Array) => Promise<StepSession>;

export function cpuSessionFactory(options: SessionOptions = {}): SessionFactory {
  return (model) => createCpuSession(model, options);
}

export interface StepRunnerOptions {
  /** Graph inputs fed per step by `run` (images, labels); `lr` and `step` are fed by `run` itself. */
  feeds: readonly string[];
  /** The execution provider's session factory; CPU when absent. */
  session?: SessionFactory;
}

export interface StepResult {
  loss: number;
  /** Every output not named `updated.*` (loss and metrics), on the host. */
  outputs: Record<string, HostTensor>;
}

export class StepRunner {
  private constructor(
    private readonly session: StepSession,
    private readonly current: Map<string, ort.Tensor>,
    private readonly feedNames: readonly string[],
  ) {}

  /** Creates the session and checks that every graph input is fed per step or held in `initial`. */
  static async create(model: Uint8Array, initial: ReadonlyMap<string, HostTensor>, options: StepRunnerOptions): Promise<StepRunner> {
    const session = await (options.session ?? cpuSessionFactory())(model);
    const perStep = new Set([...options.feeds, 'lr', 'step']);
    const missing = session.inputNames.filter((n) => !perStep.has(n) && !initial.has(n));
    if (missing.length > 0) {
      throw new Error(`StepRunner: graph inputs neither fed per step nor held in state: ${missing.join(', ')}`);
    }
    const both = options.feeds.filter((n) => initial.has(n));
    if (both.length > 0) throw new Error(`StepRunner: inputs both fed per step and held in state: ${both.join(', ')}`);
    const notInputs = options.feeds.filter((n) => !session.inputNames.includes(n));
    if (notInputs.length > 0) throw new Error(`StepRunner: fed names that are not graph inputs: ${notInputs.join(', ')}`);
    if (!session.outputNames.includes('loss')) throw new Error('StepRunner: the graph has no output named loss');
    const orphans = session.outputNames.filter((n) => n.startsWith(UPDATED) && !initial.has(n.slice(UPDATED.length)));
    if (orphans.length > 0) throw new Error(`StepRunner: outputs without a state entry to update: ${orphans.join(', ')}`);

    const current = new Map<string, ort.Tensor>();
    for (const [name, t] of initial) current.set(name, toOrt(t));
    return new StepRunner(session, current, options.feeds);
  }

  /** Runs one step with learning rate `lr` and 1-based step count `step`; updates the held state. */
  async run(feeds: Record<string, HostTensor>, lr: number, step: number): Promise<StepResult> {
    const missing = this.feedNames.filter((n) => !(n in feeds));
    const extra = Object.keys(feeds).filter((n) => !this.feedNames.includes(n));
    if (missing.length > 0 || extra.length > 0) {
      throw new Error(`StepRunner.run: missing feeds [${missing.join(', ')}], unexpected feeds [${extra.join(', ')}]`);
    }
    const scalar = (x: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(x), []);
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      const fed = feeds[name];
      if (fed) ortFeeds[name] = toOrt(fed);
      else if (name === 'lr') ortFeeds[name] = scalar(lr);
      else if (name === 'step') ortFeeds[name] = scalar(step);
      else ortFeeds[name] = this.current.get(name)!; // checked at creation
    }
    const out = await this.session.run(ortFeeds);
    const outputs: Record<string, HostTensor> = {};
    for (const [name, tensor] of Object.entries(out)) {
      if (name.startsWith(UPDATED)) this.current.set(name.slice(UPDATED.length), tensor);
      else outputs[name] = await hostTensor(tensor);
    }
    const loss = outputs.loss;
    if (!loss) throw new Error('StepRunner.run: no loss output');
    return { loss: Number(loss.data[0]), outputs };
  }

  /** The current params, buffers and optimizer state on the host, by input name (for checkpoints). */
  async state(): Promise<Map<string, HostTensor>> {
    const result = new Map<string, HostTensor>();
    for (const [name, tensor] of this.current) result.set(name, await hostTensor(tensor));
    return result;
  }
}

/** A host copy of a tensor that may live on a device; CPU tensors are returned without copying. */
async function hostTensor(t: ort.Tensor): Promise<HostTensor> {
  if (t.location === 'cpu') return fromOrt(t);
  const data = await t.getData();
  return fromOrt(new ort.Tensor(t.type, data, t.dims));
}
