// Initial training state: parameters and buffers drawn from their `Init`, optimizer state as zeros.
// Each parameter draws from its own stream, forked from the seed by a hash of its name, so adding or
// reordering parameters leaves the others' initial values unchanged.

import type { Init, ParamInfo } from '../../graphs/params.ts';
import type { StateInfo } from '../../graphs/step.ts';
import { Rng } from '../data/rng.ts';
import type { HostTensor } from './session.ts';

/** FNV-1a over the UTF-16 code units of `s`: a stable 32-bit key for `Rng.fork`. */
function nameKey(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function fill(init: Init, n: number, rng: Rng): Float32Array {
  const out = new Float32Array(n);
  switch (init.kind) {
    case 'zeros':
      return out;
    case 'ones':
      return out.fill(1);
    case 'kaiming_normal': {
      const std = Math.sqrt(2 / init.fan);
      for (let i = 0; i < n; i++) out[i] = std * rng.normal();
      return out;
    }
    case 'uniform':
      for (let i = 0; i < n; i++) out[i] = rng.uniform(-init.bound, init.bound);
      return out;
    case 'imported':
      if (init.data.length !== n) throw new Error(`initialState: ${init.from} has ${init.data.length} values, ${n} expected`);
      return init.data.slice(); // a copy: the imported model's arrays serve every build
  }
}

/** Params and buffers by `Init` (seeded), optimizer state as zeros; keys are graph input names. */
export function initialState(params: readonly ParamInfo[], optimizerState: readonly StateInfo[], seed: number): Map<string, HostTensor> {
  const root = new Rng(seed);
  const state = new Map<string, HostTensor>();
  const put = (name: string, shape: readonly number[], data: Float32Array): void => {
    if (state.has(name)) throw new Error(`initialState: duplicate name ${name}`);
    state.set(name, { dtype: 'float32', dims: [...shape], data });
  };
  for (const p of params) put(p.name, p.shape, fill(p.init, p.shape.reduce((a, d) => a * d, 1), root.fork(nameKey(p.name))));
  for (const s of optimizerState) put(s.name, s.shape, new Float32Array(s.shape.reduce((a, d) => a * d, 1)));
  return state;
}
