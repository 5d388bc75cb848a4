// What --resume accepts. A resumed run keeps its stored configuration, except:
//   --threads, --workers, --ep    take the new value (they change how it runs, not what it computes)
//   --epochs, --linear-epochs     a larger value extends the run: the stage continues from its checkpoint
//                                 and its schedule is re-planned over the new length (cosine anneals to
//                                 its minimum at the new last step; step milestones and the warm-up
//                                 stay at the epochs they name); a stage that is already behind the run
//                                 cannot be extended
// Any other difference is an error that names the field and its flag.

import { FLAGS, describePath, patchPaths } from './flags.ts';
import { ConfigError } from './schema.ts';
import type { StageName, TrainConfig } from './train_config.ts';

/** Where a stored run stands. */
export interface RunProgress {
  /** The stage its checkpoint is in. */
  stage: StageName;
  /** Stages it has finished. */
  finished: readonly StageName[];
}

const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null && !Array.isArray(v);
const child = (v: unknown, key: string): unknown => (isObject(v) ? Object.getOwnPropertyDescriptor(v, key)?.value : undefined);

/** Leaf paths whose values differ between `a` and `b` (arrays compared whole). */
function differences(a: unknown, b: unknown, prefix = ''): string[] {
  if (!isObject(a) || !isObject(b)) return JSON.stringify(a) === JSON.stringify(b) ? [] : [prefix];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
  return keys.flatMap((k) => differences(child(a, k), child(b, k), prefix ? `${prefix}.${k}` : k));
}

const runtimePaths = new Set(FLAGS.filter((f) => f.resume === 'runtime').flatMap((f) => patchPaths(f.patch(f.choices?.[0] ?? '1'))));

/** Why the change of `path` from `stored` to `requested` is refused, or undefined when it is allowed. */
function refusal(path: string, stored: TrainConfig, requested: TrainConfig, progress: RunProgress): string | undefined {
  if (runtimePaths.has(path)) return undefined;
  const valueAt = (config: TrainConfig): unknown => path.split('.').reduce<unknown>(child, config);
  const was = valueAt(stored);
  const now = valueAt(requested);
  const change = `${describePath(path)} is ${JSON.stringify(now)}, the stored run has ${JSON.stringify(was)}`;
  const stage = (['stage1', 'stage2', 'baseline'] as const).find((s) => path === `${s}.epochs`);
  if (stage === undefined) return change;
  if (typeof now !== 'number' || typeof was !== 'number' || now < was) return `${change}: a resumed run can be extended, not shortened`;
  const behind = progress.finished.includes(stage) && progress.stage !== stage;
  return behind ? `${change}: ${stage} has finished and the run has moved past it` : undefined;
}

const ALLOWED = `on --resume only ${FLAGS.filter((f) => f.resume === 'runtime').map((f) => f.name).join(', ')} and a larger ${FLAGS.filter((f) => f.resume === 'extend').map((f) => f.name).join(' / ')} may change`;

/** `requested` when it differs from `stored` only where --resume allows; otherwise a ConfigError naming each difference. */
export function reconcileResume(stored: TrainConfig, requested: TrainConfig, progress: RunProgress): TrainConfig {
  const refused = differences(stored, requested).flatMap((path) => refusal(path, stored, requested, progress) ?? []);
  if (refused.length > 0) throw new ConfigError(`cannot resume with a different configuration (${ALLOWED}):\n  ${refused.join('\n  ')}`);
  return requested;
}
