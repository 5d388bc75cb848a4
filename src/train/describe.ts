// The lines a run prints before its first step: what it trains, on what, with which settings (the
// whole resolved configuration is in config.json beside them).

import type { OptimizerConfig } from '../optim/index.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import { encoderLabel, isOnnxEncoder } from '../../graphs/encoders/index.ts';
import { loadEncoder } from './encoder_file.ts';
import type { DataShape } from './run_results.ts';

function optimizer(o: OptimizerConfig): string {
  const momentum = 'momentum' in o ? ` momentum ${o.momentum}` : '';
  return `${o.kind}${momentum}${o.kind === 'sgd' && o.nesterov ? ' nesterov' : ''} wd ${o.weightDecay}`;
}

/** What an imported encoder is: its source, where it is cut, what it trains. */
function importedLines(config: TrainConfig): string[] {
  const imported = loadEncoder(config.model);
  if (!imported) return [];
  const { plan } = imported;
  const values = plan.parameters.reduce((n, p) => n + p.data.length, 0);
  const norms = plan.nodes.filter((n) => n.opType === 'BatchNormalization').length;
  const lines = [
    `  imported  ${plan.model.source} (${plan.model.producer || 'unknown producer'}, opset ${plan.model.opset}): ${plan.nodes.length} nodes to ${imported.featureOutput} [N, ${imported.featureDim}], ` +
      `${plural(plan.parameters.length, 'parameter tensor')} (${values.toLocaleString('en-US')} values), ${plural(norms, 'BatchNormalization')}`,
  ];
  if (plan.constants.length > 0) lines.push(`  constant  ${plural(plan.constants.length, 'float tensor')} the model computes with stay fixed (not parameter slots): ${plan.constants.slice(0, 4).join(', ')}${plan.constants.length > 4 ? ', ...' : ''}`);
  return lines;
}

export function describeRun(config: TrainConfig, shape: DataShape, counts: { train: number; test: number }, plan: Partial<Record<StageName, number>>): string[] {
  const m = config.model;
  const contrastive = `${m.head} head -> ${m.featDim}, ${m.loss} tau ${m.temperature}`;
  const head = config.method === 'ce' ? 'linear classifier, cross-entropy'
    : config.method === 'supcon+ce' ? `linear classifier, cross-entropy + ${m.supconWeight} x SupCon (${contrastive})` : contrastive;
  const encoder = isOnnxEncoder(m.encoder) ? encoderLabel(m.encoder) : `${m.encoder}${m.encoder === 'small_cnn' ? ` width ${m.width}` : ` (${m.stem} stem)`}`;
  const norm = config.inputNorm === undefined || config.inputNorm === 'dataset' ? 'the training split\'s' : typeof config.inputNorm === 'string' ? config.inputNorm : 'given';
  const lines = [
    `${config.name}: ${config.dataset}, ${counts.train} train / ${counts.test} test images at ${shape.size}x${shape.size}x${shape.channels}, ${shape.classes.length} classes`,
    `  input     mean ${shape.normalization.mean.map((v) => v.toFixed(3)).join(', ')}, std ${shape.normalization.std.map((v) => v.toFixed(3)).join(', ')} (${norm})`,
    `  model     ${encoder}, ${head}`,
    ...importedLines(config),
    ...(m.freeze ? [`  freeze    ${m.freeze.join(',')} (stage 1 and the baseline)`] : []),
  ];
  for (const stage of ['stage1', 'stage2', 'baseline'] as const) {
    const steps = plan[stage];
    if (steps === undefined) continue;
    const s = config[stage];
    const views = stage === 'stage1' ? ` x ${config.stage1.views.length} view${config.stage1.views.length === 1 ? '' : 's'} (${config.stage1.views.join(', ')})` : ` (${stage === 'stage2' ? config.stage2.augmentation : config.baseline.augmentation})`;
    const finetune = stage === 'stage2' && config.stage2.mode === 'finetune';
    const warmup = s.warmupEpochs > 0 ? `, warm-up ${s.warmupEpochs} epochs = ${plural(Math.round(s.warmupEpochs * steps), 'step')}` : '';
    const opt = stage === 'stage2' && !finetune ? m.linearOptimizer : m.optimizer;
    lines.push(`  ${stage.padEnd(9)} ${finetune ? 'fine-tunes encoder + classifier, ' : ''}${s.epochs} epochs x ${plural(steps, 'step')}, batch ${s.batchSize}${views}${largeBatch(config, stage)}, ${optimizer(opt)}, lr ${s.lr} ${s.schedule.kind}${warmup}`);
  }
  lines.push(`  run on    ${config.ep}, ${config.threads === 0 ? 'all' : config.threads} ORT threads, ${plural(config.workers, 'loader worker')}, seed ${config.seed}`);
  return lines;
}

/** ', in 8 chunks of 128 rows, queue 4096 (momentum 0.99)': how a large stage-1 / baseline step runs. */
function largeBatch(config: TrainConfig, stage: StageName): string {
  if (stage === 'stage2') return '';
  const rows = config[stage].batchSize * (stage === 'stage1' ? config.stage1.views.length : 1);
  const chunk = config[stage].chunkSize;
  const chunks = chunk > 0 && chunk < rows ? `, in ${rows / chunk} chunks of ${chunk} rows (GradCache)` : '';
  const { queueSize, queueMomentum } = config.stage1;
  const queue = stage === 'stage1' && queueSize > 0 ? `, queue ${queueSize} (${queueMomentum > 0 ? `momentum encoder ${queueMomentum}` : 'batch projections'})` : '';
  return chunks + queue;
}

/** Few updates train little: said before the run rather than discovered after it. */
export function planWarnings(config: TrainConfig, plan: Partial<Record<StageName, number>>, images: number): string[] {
  return (['stage1', 'baseline'] as const).flatMap((stage) => {
    const steps = plan[stage];
    if (steps === undefined || steps * config[stage].epochs >= FEW_STEPS) return [];
    return [`${stage} trains only ${plural(steps * config[stage].epochs, 'step')} (${config[stage].epochs} epochs x ${plural(steps, 'batch', 'es')} of ${config[stage].batchSize} from ${images} images): a smaller --batch-size or more --epochs train more`];
  });
}

const FEW_STEPS = 50;

const plural = (n: number, word: string, suffix = 's'): string => `${n} ${word}${n === 1 ? '' : suffix}`;
