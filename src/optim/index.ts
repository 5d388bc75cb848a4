// Optimizers as graph emitters and host-side learning-rate schedules.

export * from './types.ts';
export { stateSlots, emitUpdate } from './optimizer.ts';
export { sgd } from './sgd.ts';
export { adam } from './adam.ts';
export { rmsprop } from './rmsprop.ts';
export { lars } from './lars.ts';
export * from './schedules.ts';
