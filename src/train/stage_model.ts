// The stage shape, derived once: a stage's ModelConfig is the run's architecture with the opened data
// set's input side, channels and classes and the stage's batch and views.

import type { ModelConfig } from '../../graphs/config.ts';
import type { GraphName } from '../../graphs/stages.ts';
import type { StageName, TrainConfig } from '../config/train_config.ts';
import { loadEncoder } from './encoder_file.ts';
import type { DataShape } from './run_results.ts';

/** Which stage's batch a graph is built for; eval graphs have a symbolic batch. */
export const GRAPH_STAGE: Readonly<Record<GraphName, StageName | 'eval'>> = {
  stage1: 'stage1', stage2: 'stage2', stage2_features: 'stage2', baseline: 'baseline', hybrid: 'stage1', embed: 'eval', logits: 'eval',
};

/** The ModelConfig of one stage's graphs (an imported encoder is read and registered on the way). */
export function stageModel(config: TrainConfig, shape: Pick<DataShape, 'size' | 'channels' | 'classes'>, stage: StageName | 'eval'): ModelConfig {
  loadEncoder(config.model);
  return {
    name: config.name,
    ...config.model,
    batchSize: stage === 'eval' ? 1 : config[stage].batchSize,
    views: stage === 'stage1' ? config.stage1.views.length : 1,
    inputSize: shape.size,
    inputChannels: shape.channels,
    numClasses: shape.classes.length,
    chunkSize: stage === 'stage1' || stage === 'baseline' ? config[stage].chunkSize : 0,
    queueSize: stage === 'stage1' ? config.stage1.queueSize : 0,
    queueMomentum: config.stage1.queueMomentum,
  };
}
