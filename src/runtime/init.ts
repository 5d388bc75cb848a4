// Initial training state: parameters and buffers drawn from their `Init`, the other state from its StateInit.
// Each parameter draws from its own stream, forked from the seed by a hash of its name, so adding or
// reordering parameters leaves the others' initial values unchanged.

import type { Init, ParamInfo } from '../../graphs/params.ts';
import type { StateInfo } from '../../graphs/step.ts';
import { Rng } from '../data/rng.ts';
import * as b from '../onnx/index.ts';
import { allocate } from '../onnx/index.ts';
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

/**
 * Params and buffers by `Init` (seeded), then the other state (optimizer state, a queue, a momentum
 * encoder) by its StateInit: zeros unless it says otherwise. Keys are graph input names.
 */
export function initialState(params: readonly ParamInfo[], state: readonly StateInfo[], seed: number): Map<string, HostTensor> {
  const root = new Rng(seed);
  const out = new Map<string, HostTensor>();
  const put = (name: string, t: HostTensor): void => {
    if (out.has(name)) throw new Error(`initialState: duplicate name ${name}`);
    out.set(name, t);
  };
  const count = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);
  for (const p of params) put(p.name, { dtype: 'float32', dims: [...p.shape], data: fill(p.init, count(p.shape), root.fork(nameKey(p.name))) });
  for (const s of state) {
    const dtype = s.dtype ?? 'float32';
    const init = s.init ?? { kind: 'zeros' };
    if (init.kind === 'copy') {
      const source = out.get(init.of);
      if (!source || !b.sameShape(source.dims, s.shape)) throw new Error(`initialState: ${s.name} copies ${init.of}, which is not a tensor of shape [${s.shape.join(', ')}]`);
      put(s.name, { ...source, data: source.data.slice() });
      continue;
    }
    const data = allocate(dtype, count(s.shape));
    if (init.kind === 'fill') {
      if (data instanceof BigInt64Array) data.fill(BigInt(init.value));
      else data.fill(init.value);
    }
    put(s.name, { dtype, dims: [...s.shape], data });
  }
  return out;
}
