// The host loop of a fused training step graph (graphs/step.ts): holds params, buffers and optimizer
// state (held_state.ts), feeds them with the batch, `lr` and `step`, and replaces every input `X` by the
// output `updated.X`. State stays as ORT tensors between steps: no host copy on CPU; on WebGPU they stay
// on the device (the session uploads them once and downloads them for `state()`), see webgpu_session.ts.

import { LOSS_OUTPUT, LR_INPUT, STEP_INPUT, UPDATED_PREFIX as UPDATED } from '../../graphs/step.ts';
import * as b from '../onnx/index.ts';
import { lowerForCpu, nchwcBlock } from './cpu_lowering.ts';
import { checkStepContract, checkStepFeeds } from './step_contract.ts';
import { HeldState } from './held_state.ts';
import { type HostTensor, type ModelSource, type SessionOptions, createCpuSession, modelBytes, ort, toOrt } from './session.ts';

/** What the runner needs from an execution provider's session. */
export interface StepSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>>;
  /** Device copies of the initial state, made once by the runner; absent: state is fed from the host. */
  upload?(tensors: ReadonlyMap<string, ort.Tensor>): Promise<Map<string, ort.Tensor>>;
  /** Host copies of tensors the session returned on its device (location other than 'cpu'). */
  download?(tensors: ReadonlyMap<string, ort.Tensor>): Promise<Map<string, ort.Tensor>>;
  release?(): Promise<void>;
}

/** Creates a session for a model; one per execution provider. */
export type SessionFactory = (model: ModelSource) => Promise<StepSession>;

/**
 * CPU sessions; graph models go through the CPU lowering pass first unless `lowering` is false. ORT's
 * memory pattern is off unless asked for: with it and the arena, ResNet-18's stage-1 step (128 x 2
 * views) peaked at 3.9 GB against 2.2 GB without (the arena keeps the first run's per-tensor blocks and
 * then adds the pattern's single block beside them); the pattern without the arena also peaked at 2.3
 * GB, but maps fresh memory every run (400,000 page faults per step, ~8% more CPU time on ResNet-50).
 */
export function cpuSessionFactory(options: SessionOptions = {}): SessionFactory {
  return async (model) => createCpuSession(await cpuModelBytes(model, options.lowering ?? true), { memoryPattern: false, ...options });
}

async function cpuModelBytes(model: ModelSource, lowering: boolean): Promise<Uint8Array> {
  if (!lowering || model instanceof Uint8Array || model.options.freeze) return modelBytes(model);
  const lowered = lowerForCpu(model.graph, model.options.outputs, await nchwcBlock());
  return b.serialize(lowered.graph, { ...model.options, outputs: lowered.outputs });
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

/** One training step per `run`, whatever graphs it takes: the fused StepRunner or a split step (split_runner.ts). */
export interface Stepper {
  /** Runs one step with learning rate `lr` and 1-based step count `step`; updates the held state. */
  run(feeds: Record<string, HostTensor>, lr: number, step: number): Promise<StepResult>;
  /** The training state on the host, by input name (for checkpoints). */
  state(): Promise<Map<string, HostTensor>>;
  /** Frees the held device tensors and the sessions; the runner is unusable afterwards. */
  release(): Promise<void>;
}

export const scalarTensor = (x: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(x), []);

/** The loss of a step's outputs, as a number. */
export function lossOf(outputs: Record<string, HostTensor>, what: string): number {
  const loss = outputs[LOSS_OUTPUT];
  if (!loss) throw new Error(`${what}: no ${LOSS_OUTPUT} output`);
  return Number(loss.data[0]);
}

export class StepRunner implements Stepper {
  private constructor(
    private readonly session: StepSession,
    private readonly held: HeldState,
    private readonly feedNames: readonly string[],
  ) {}

  /** Creates the session and checks that every graph input is fed per step or held in `initial`. */
  static async create(model: ModelSource, initial: ReadonlyMap<string, HostTensor>, options: StepRunnerOptions): Promise<StepRunner> {
    const session = await (options.session ?? cpuSessionFactory())(model);
    checkStepContract('StepRunner', session, options.feeds, initial);
    return new StepRunner(session, await HeldState.create(initial, session), options.feeds);
  }

  async run(feeds: Record<string, HostTensor>, lr: number, step: number): Promise<StepResult> {
    checkStepFeeds('StepRunner.run', this.feedNames, Object.keys(feeds));
    const given: Record<string, ort.Tensor> = { [LR_INPUT]: scalarTensor(lr), [STEP_INPUT]: scalarTensor(step) };
    for (const [name, t] of Object.entries(feeds)) given[name] = toOrt(t);
    const rest = this.held.absorb(await this.session.run(this.held.feeds(this.session, given)));
    const outputs = Object.fromEntries(await this.held.hostCopies(rest));
    return { loss: lossOf(outputs, 'StepRunner.run'), outputs };
  }

  /** The current params, buffers and optimizer state on the host, by input name (for checkpoints). */
  async state(): Promise<Map<string, HostTensor>> {
    return this.held.toHost();
  }

  /** Where each held state tensor lives ('cpu', or 'gpu-buffer' on WebGPU), by input name. */
  locations(): Map<string, ort.Tensor.DataLocation> {
    return this.held.locations();
  }

  async release(): Promise<void> {
    this.held.release();
    await this.session.release?.();
  }
}
