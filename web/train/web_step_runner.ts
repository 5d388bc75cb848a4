// The page's host loop of a training step graph (graphs/step.ts), over onnxruntime-web: the Node runner
// (src/runtime/step_runner.ts) drives onnxruntime-node, which a page cannot load. It holds params,
// buffers and optimizer state, feeds them with the batch, `lr` and `step`, and replaces every input X by
// the output `updated.X`. On WebGPU the state stays on the GPU from the second step on (the first feeds it
// from the host; its outputs are GPU tensors); only the loss and metrics come back each step.

import { LOSS_OUTPUT, LR_INPUT, STEP_INPUT, UPDATED_PREFIX } from '../../graphs/step.ts';
import type { HostTensor } from '../../src/runtime/session.ts';
import { checkStepContract, checkStepFeeds } from '../../src/runtime/step_contract.ts';
import type { Backend } from './job.ts';
import { createSession, hostData, ort, throwIfGpuFailed, toWeb } from './web_session.ts';

export interface WebStepResult {
  loss: number;
  /** Every output not named `updated.*` (loss and metrics). */
  outputs: Record<string, ort.Tensor>;
}

export class WebStepRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly current: Map<string, ort.Tensor>,
    private readonly feedNames: readonly string[],
  ) {}

  static async create(model: Uint8Array, initial: ReadonlyMap<string, HostTensor>, options: { feeds: readonly string[]; backend: Backend }): Promise<WebStepRunner> {
    const session = await createSession(model, options.backend);
    try {
      checkStepContract('WebStepRunner', session, options.feeds, initial);
    } catch (err) {
      await session.release();
      throw err;
    }
    return new WebStepRunner(session, new Map([...initial].map(([name, t]) => [name, toWeb(t)])), options.feeds);
  }

  /** One step with learning rate `lr` and 1-based step count `step`; updates the held state. */
  async run(feeds: Record<string, HostTensor>, lr: number, step: number): Promise<WebStepResult> {
    checkStepFeeds('WebStepRunner.run', this.feedNames, Object.keys(feeds));
    const scalar = (x: number): ort.Tensor => new ort.Tensor('float32', Float32Array.of(x), []);
    const inputs: Record<string, ort.Tensor> = {};
    for (const name of this.session.inputNames) {
      const fed = feeds[name];
      inputs[name] = fed ? toWeb(fed) : name === LR_INPUT ? scalar(lr) : name === STEP_INPUT ? scalar(step) : this.current.get(name)!; // checked at creation
    }
    const out = await this.session.run(inputs);
    const outputs: Record<string, ort.Tensor> = {};
    for (const [name, tensor] of Object.entries(out)) {
      if (!name.startsWith(UPDATED_PREFIX)) {
        outputs[name] = tensor;
        continue;
      }
      const key = name.slice(UPDATED_PREFIX.length);
      const old = this.current.get(key);
      this.current.set(key, tensor);
      if (old && old !== tensor && old.location === 'gpu-buffer') old.dispose(); // GPU memory now, not at GC
    }
    const loss = outputs[LOSS_OUTPUT];
    if (!loss) throw new Error(`WebStepRunner.run: no ${LOSS_OUTPUT} output`);
    const value = Number((await hostData(loss))[0]);
    throwIfGpuFailed(); // a WebGPU error does not reject the run: its results would be wrong
    return { loss: value, outputs };
  }

  /** Current float32 state on the host, by input name (downloaded from the GPU on WebGPU). */
  async state(names: readonly string[] = [...this.current.keys()]): Promise<Map<string, Float32Array>> {
    const state = new Map<string, Float32Array>();
    for (const name of names) {
      const t = this.current.get(name);
      if (!t) throw new Error(`WebStepRunner.state: no state named ${name}`);
      state.set(name, await hostData(t));
    }
    return state;
  }

  async release(): Promise<void> {
    for (const t of this.current.values()) if (t.location === 'gpu-buffer') t.dispose();
    this.current.clear();
    await this.session.release();
  }
}
