// Training state held between runs as ORT tensors, shared by every session of a step: params, buffers,
// optimizer state (and a split step's summed gradients, queue, momentum encoder). On CPU it stays in host
// memory without copies; on WebGPU on the device (uploaded once, downloaded for `toHost`), see
// webgpu_session.ts. An output `updated.X` of any run replaces X.

import { UPDATED_PREFIX as UPDATED } from '../../graphs/step.ts';
import { collectDropped, noteDropped } from './host_garbage.ts';
import { type HostTensor, fromOrt, ort, toOrt } from './session.ts';
import type { StepSession } from './step_runner.ts';

export class HeldState {
  private constructor(
    private readonly current: Map<string, ort.Tensor>,
    /** The session that moves tensors to and from the device (WebGPU sessions share one device). */
    private readonly transfers: StepSession,
  ) {}

  static async create(initial: ReadonlyMap<string, HostTensor>, transfers: StepSession): Promise<HeldState> {
    let current = new Map<string, ort.Tensor>();
    for (const [name, t] of initial) current.set(name, toOrt(t));
    if (transfers.upload) current = await transfers.upload(current);
    return new HeldState(current, transfers);
  }

  has(name: string): boolean {
    return this.current.has(name);
  }

  /** Inputs of `session` that `perRun` does not give, named but not held. */
  missing(session: StepSession, perRun: Iterable<string>): string[] {
    const given = new Set(perRun);
    return session.inputNames.filter((n) => !given.has(n) && !this.current.has(n));
  }

  /** The feeds of one run of `session`: `given` first, the held state for every other input. */
  feeds(session: StepSession, given: Record<string, ort.Tensor>): Record<string, ort.Tensor> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of session.inputNames) {
      const t = given[name] ?? this.current.get(name);
      if (!t) throw new Error(`no feed and no state for graph input ${name}`);
      feeds[name] = t;
    }
    return feeds;
  }

  /** Takes every `updated.X` output as the new X; returns the other outputs (loss, metrics, rows). */
  absorb(outputs: Record<string, ort.Tensor>): Map<string, ort.Tensor> {
    const rest = new Map<string, ort.Tensor>();
    for (const [name, tensor] of Object.entries(outputs)) {
      if (name.startsWith(UPDATED)) this.put(name.slice(UPDATED.length), tensor);
      else rest.set(name, tensor);
    }
    collectDropped();
    return rest;
  }

  put(name: string, tensor: ort.Tensor): void {
    const old = this.current.get(name);
    this.current.set(name, tensor);
    if (!old || old === tensor) return;
    // Device memory is freed now rather than whenever the garbage collector finalises the old tensor.
    if (old.location === 'gpu-buffer') old.dispose();
    else if (old.location === 'cpu') noteDropped((old.data as ArrayBufferView).byteLength);
  }

  /** Held tensors whose name passes `keep`, on the host. */
  async toHost(keep: (name: string) => boolean = () => true): Promise<Map<string, HostTensor>> {
    return this.hostCopies(new Map([...this.current].filter(([name]) => keep(name))));
  }

  /** Host copies, keyed as given: CPU tensors without copying, device tensors through the session. */
  async hostCopies(tensors: ReadonlyMap<string, ort.Tensor>): Promise<Map<string, HostTensor>> {
    const onDevice = new Map([...tensors].filter(([, t]) => t.location !== 'cpu'));
    let copies = new Map<string, ort.Tensor>();
    if (onDevice.size > 0) {
      if (!this.transfers.download) throw new Error(`${[...onDevice.keys()].join(', ')} live on the device and the session cannot download them`);
      copies = await this.transfers.download(onDevice);
    }
    return new Map([...tensors].map(([name, t]) => [name, fromOrt(copies.get(name) ?? t)]));
  }

  /** Where each held tensor lives ('cpu', or 'gpu-buffer' on WebGPU), by name. */
  locations(): Map<string, ort.Tensor.DataLocation> {
    return new Map([...this.current].map(([name, t]) => [name, t.location]));
  }

  /** Frees the held device tensors; the state is empty afterwards. */
  release(): void {
    for (const t of this.current.values()) if (t.location === 'gpu-buffer') t.dispose();
    this.current.clear();
  }
}
