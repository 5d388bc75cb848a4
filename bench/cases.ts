// The rows of `npm run bench`: one training step each, built by this project and, layer for layer, by
// bench/torch_peer.py. SGD momentum 0.9 (weight decay 1e-4; stage 2 none), as graphs/config.ts.

import { type ModelConfig, defaultModelConfig } from '../graphs/config.ts';
import { type BuiltGraph, buildBaseline, buildStage1, buildStage2 } from '../graphs/stages.ts';

/** supcon: stage 1 (2 views per image); ce: the cross-entropy baseline; linear: stage 2 on the frozen encoder. */
export type StepKind = 'supcon' | 'ce' | 'linear';

export interface BenchCase {
  name: string;
  step: StepKind;
  config: ModelConfig;
  /** bench/torch_peer.py's flags for the same step. */
  peer: string[];
}

const BUILDERS: Record<StepKind, (cfg: ModelConfig) => BuiltGraph> = { supcon: buildStage1, ce: buildBaseline, linear: buildStage2 };

const smallCnn = defaultModelConfig({ name: 'small_cnn', encoder: 'small_cnn', width: 32, inputSize: 28, inputChannels: 1, batchSize: 256 });
const resnet18 = defaultModelConfig({ name: 'resnet18', encoder: 'resnet18', stem: 'cifar', inputSize: 32, inputChannels: 3, batchSize: 128 });

function peerFlags(cfg: ModelConfig, step: StepKind): string[] {
  return ['--model', cfg.encoder, '--stem', cfg.stem, '--width', String(cfg.width), '--channels', String(cfg.inputChannels),
    '--size', String(cfg.inputSize), '--batch', String(cfg.batchSize), '--classes', String(cfg.numClasses), '--step', step];
}

function row(name: string, step: StepKind, config: ModelConfig, views = step === 'supcon' ? 2 : 1): BenchCase {
  return { name, step, config: { ...config, views }, peer: [...peerFlags(config, step), ...(step === 'supcon' ? ['--views', String(views)] : [])] };
}

export const CASES: readonly BenchCase[] = [
  row('small_cnn', 'supcon', smallCnn),
  row('resnet18', 'supcon', resnet18),
  row('resnet50', 'supcon', defaultModelConfig({ name: 'resnet50', encoder: 'resnet50', stem: 'cifar', inputSize: 32, inputChannels: 3, batchSize: 32 })),
  // The seed's Experiment 3 shape: photos at 128 px through the ImageNet stem.
  row('resnet18_imagenet', 'supcon', defaultModelConfig({ name: 'resnet18_imagenet', encoder: 'resnet18', stem: 'imagenet', inputSize: 128, inputChannels: 3, batchSize: 32 })),
  // The main job's step (npm start): width 16, one padcrop view per image, 256 images.
  row('main_job', 'supcon', { ...smallCnn, name: 'main_job', width: 16 }, 1),
  row('small_cnn_ce', 'ce', smallCnn),
  row('resnet18_ce', 'ce', resnet18),
  row('small_cnn_linear', 'linear', smallCnn),
  row('resnet18_linear', 'linear', resnet18),
];

export const buildCase = (c: BenchCase): BuiltGraph => BUILDERS[c.step](c.config);
