// Dispatch from a configuration to its emitter, so callers need not switch on the kind.

import { adam } from './adam.ts';
import { lars } from './lars.ts';
import { rmsprop } from './rmsprop.ts';
import { sgd } from './sgd.ts';
import type { OptimizerConfig, StateSlot, UpdateInput, UpdateOutput } from './types.ts';

/** The per-parameter state slots of `config`, in a fixed order. */
export function stateSlots(config: OptimizerConfig): StateSlot[] {
  switch (config.kind) {
    case 'sgd': return sgd.slots(config);
    case 'adam':
    case 'adamw': return adam.slots(config);
    case 'rmsprop': return rmsprop.slots(config);
    case 'lars': return lars.slots(config);
  }
}

/** Emits the update of one parameter; the output state has exactly the slots of `stateSlots(config)`. */
export function emitUpdate(config: OptimizerConfig, input: UpdateInput): UpdateOutput {
  switch (config.kind) {
    case 'sgd': return sgd.update(config, input);
    case 'adam':
    case 'adamw': return adam.update(config, input);
    case 'rmsprop': return rmsprop.update(config, input);
    case 'lars': return lars.update(config, input);
  }
}
