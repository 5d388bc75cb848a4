// --freeze: the parameters a training step keeps as they are (no gradient, no update; BatchNorm's
// running statistics still follow the batches, as in PyTorch with requires_grad=False). Patterns are
// globs over state-dict names (`*` any run of characters, `?` one) that match a whole name or a module
// prefix of it (`encoder.layer1` matches `encoder.layer1.0.conv1.weight`, not `encoder.layer10...`).
// `!pattern` thaws what earlier patterns froze; the last pattern that matches a name decides:
// `encoder,!encoder.layer4` trains the encoder's last stage and the head only.

import type { Params } from './params.ts';

export class FreezeError extends Error {
  override name = 'FreezeError';
}

function matcher(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}(\\..*)?$`);
}

/** The top-level modules of `names` (`encoder.layer1`, `head.0`), to suggest patterns. */
function modules(names: readonly string[]): string[] {
  return [...new Set(names.map((n) => n.split('.').slice(0, 2).join('.')))];
}

/**
 * Which of `names` (the trainable parameters of a step) `patterns` freeze. A pattern that matches no
 * name, and patterns that freeze every name, are errors.
 */
export function frozenBy(patterns: readonly string[], names: readonly string[]): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  const rules = patterns.map((p) => ({ pattern: p, freeze: !p.startsWith('!'), re: matcher(p.replace(/^!/, '')) }));
  for (const r of rules) {
    if (!names.some((n) => r.re.test(n))) throw new FreezeError(`--freeze ${r.pattern} matches no parameter; the modules are ${modules(names).join(', ')}`);
  }
  const frozen = (name: string): boolean => rules.reduce((state, r) => (r.re.test(name) ? r.freeze : state), false);
  if (names.every(frozen)) throw new FreezeError(`--freeze ${patterns.join(',')} freezes every parameter: nothing would train`);
  return frozen;
}

/** Which parameters of `params` a step trains under `patterns` (all without any). */
export function unfrozen(patterns: readonly string[] | undefined, params: Params): (name: string) => boolean {
  const frozen = frozenBy(patterns ?? [], params.trainable().map((p) => p.name));
  return (name) => !frozen(name);
}
