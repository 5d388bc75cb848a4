// The checks a host loop makes before the first step of a step graph (graphs/step.ts): every input is
// fed per step or held in state, nothing is both, and every `updated.X` has its X. Pure TypeScript, shared
// by the Node runner (step_runner.ts, onnxruntime-node) and the page's (web/train, onnxruntime-web).

import { LOSS_OUTPUT, LR_INPUT, STEP_INPUT, UPDATED_PREFIX } from '../../graphs/step.ts';

export interface StepGraphSignature {
  inputNames: readonly string[];
  outputNames: readonly string[];
}

/** Throws an error naming every input or output that breaks the contract. */
export function checkStepContract(who: string, session: StepGraphSignature, feeds: readonly string[], held: { has(name: string): boolean }): void {
  const perStep = new Set([...feeds, LR_INPUT, STEP_INPUT]);
  const missing = session.inputNames.filter((n) => !perStep.has(n) && !held.has(n));
  if (missing.length > 0) throw new Error(`${who}: graph inputs neither fed per step nor held in state: ${missing.join(', ')}`);
  const both = feeds.filter((n) => held.has(n));
  if (both.length > 0) throw new Error(`${who}: inputs both fed per step and held in state: ${both.join(', ')}`);
  const notInputs = feeds.filter((n) => !session.inputNames.includes(n));
  if (notInputs.length > 0) throw new Error(`${who}: fed names that are not graph inputs: ${notInputs.join(', ')}`);
  if (!session.outputNames.includes(LOSS_OUTPUT)) throw new Error(`${who}: the graph has no output named ${LOSS_OUTPUT}`);
  const orphans = session.outputNames.filter((n) => n.startsWith(UPDATED_PREFIX) && !held.has(n.slice(UPDATED_PREFIX.length)));
  if (orphans.length > 0) throw new Error(`${who}: outputs without a state entry to update: ${orphans.join(', ')}`);
}

/** The per-step feed check of `run`: exactly the declared names. */
export function checkStepFeeds(who: string, declared: readonly string[], given: readonly string[]): void {
  const missing = declared.filter((n) => !given.includes(n));
  const extra = given.filter((n) => !declared.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`${who}: missing feeds [${missing.join(', ')}], unexpected feeds [${extra.join(', ')}]`);
  }
}
