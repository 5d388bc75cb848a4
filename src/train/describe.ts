// The lines a run prints before its first step: what it trains, on what, with which settings (the
// whole resolved configuration is in config.json beside them).

import type { OptimizerConfig } from '../optim/index.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import type { DataShape } from './run_results.ts';

function optimizer(o: OptimizerConfig): string {
  const momentum = 'momentum' in o ? ` momentum ${o.momentum}` : '';
  return `${o.kind}${momentum}${o.kind === 'sgd' && o.nesterov ? ' nesterov' : ''} wd ${o.weightDecay}`;
}

export function describeRun(config: TrainConfig, shape: DataShape, counts: { train: number; test: number }, plan: Partial<Record<StageName, number>>): string[] {
  const m = config.model;
  const head = config.method === 'ce' ? 'linear classifier, cross-entropy' : `${m.head} head -> ${m.featDim}, ${m.loss} tau ${m.temperature}`;
  const lines = [
    `${config.name}: ${config.dataset}, ${counts.train} train / ${counts.test} test images at ${shape.size}x${shape.size}x${shape.channels}, ${shape.classes.length} classes`,
    `  model     ${m.encoder}${m.encoder === 'small_cnn' ? ` width ${m.width}` : ` (${m.stem} stem)`}, ${head}`,
  ];
  for (const stage of ['stage1', 'stage2', 'baseline'] as const) {
    const steps = plan[stage];
    if (steps === undefined) continue;
    const s = config[stage];
    const views = stage === 'stage1' ? ` x ${config.stage1.views.length} views (${config.stage1.views.join(', ')})` : ` (${stage === 'stage2' ? config.stage2.augmentation : config.baseline.augmentation})`;
    const warmup = s.warmupEpochs > 0 ? `, warm-up ${s.warmupEpochs} epochs = ${Math.round(s.warmupEpochs * steps)} steps` : '';
    const opt = stage === 'stage2' ? m.linearOptimizer : m.optimizer;
    lines.push(`  ${stage.padEnd(9)} ${s.epochs} epochs x ${steps} steps, batch ${s.batchSize}${views}, ${optimizer(opt)}, lr ${s.lr} ${s.schedule.kind}${warmup}`);
  }
  lines.push(`  run on    ${config.ep}, ${config.threads || 'all'} ORT threads, ${config.workers} loader workers, seed ${config.seed}`);
  return lines;
}
