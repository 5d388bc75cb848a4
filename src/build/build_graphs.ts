// Builds the graphs a training run of a config would run and writes them with the initial parameters
// and a manifest (each stage graph at its stage's batch, the eval graphs with a symbolic batch):
//   <outDir>/stage1.onnx stage2.onnx stage2_features.onnx baseline.onnx embed.onnx logits.onnx
//   <outDir>/init.safetensors   params and buffers by PyTorch-style name, drawn from their Init
//   <outDir>/manifest.json      see manifest.ts

import { join } from 'node:path';
import type { ModelConfig } from '../../graphs/config.ts';
import type { ParamInfo } from '../../graphs/params.ts';
import { type BuiltGraph, GRAPH_BUILDERS, GRAPH_NAMES, type GraphName } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import * as b from '../onnx/index.ts';
import { initialState } from '../runtime/init.ts';
import type { TrainConfig } from '../config/train_config.ts';
import type { DataShape } from '../train/run_results.ts';
import { encodeSafetensors } from '../train/safetensors.ts';
import { GRAPH_STAGE, stageModel } from '../train/stage_model.ts';
import { writeFileAtomic } from '../util/atomic_write.ts';
import { MANIFEST_FORMAT, type Manifest, graphEntry, parameterCounts, parameterEntry } from './manifest.ts';

export interface BuildOptions {
  /** Which graphs to write (all by default). */
  graphs?: readonly GraphName[];
}

/** What the graphs are fed: input side, channels and class names. */
export type GraphShape = Pick<DataShape, 'size' | 'channels' | 'classes'>;

export interface BuildResult {
  manifest: Manifest;
  /** Absolute or outDir-relative paths of every file written. */
  files: string[];
}

/** ONNX bytes of one built graph; step graphs carry their optimizer state list in the metadata. */
export function serializeBuilt(built: BuiltGraph, cfg: ModelConfig): Uint8Array {
  const metadata = { graph: built.name, config: JSON.stringify(cfg) };
  if (built.step) return serializeStep(built.graph, { outputs: built.outputs, optimizerState: built.optimizerState }, metadata);
  return b.serialize(built.graph, { outputs: built.outputs, name: built.name, metadata });
}

/** Params and buffers of all graphs, first appearance first; a name declared twice must agree on shape. */
function unionParams(graphs: readonly BuiltGraph[]): ParamInfo[] {
  const byName = new Map<string, ParamInfo>();
  for (const g of graphs) {
    for (const p of g.params.list) {
      const seen = byName.get(p.name);
      if (!seen) byName.set(p.name, p);
      else if (!b.sameShape(seen.shape, p.shape) || seen.role !== p.role) throw new Error(`${p.name} differs between graphs`);
    }
  }
  return [...byName.values()];
}

/** The graphs build-graph writes unless told: every one, the supcon+ce hybrid's only for that method (it needs SupCon and a head). */
export function defaultGraphs(config: TrainConfig): GraphName[] {
  return GRAPH_NAMES.filter((name) => name !== 'hybrid' || config.method === 'supcon+ce');
}

export function buildGraphs(config: TrainConfig, shape: GraphShape, outDir: string, options: BuildOptions = {}): BuildResult {
  const names = options.graphs ?? defaultGraphs(config);
  const { seed } = config;
  const files: string[] = [];
  const built: BuiltGraph[] = [];
  const entries: Manifest['graphs'] = {};
  for (const name of names) {
    const model = stageModel(config, shape, GRAPH_STAGE[name]);
    const g = GRAPH_BUILDERS[name](model);
    const file = `${name}.onnx`;
    writeFileAtomic(join(outDir, file), serializeBuilt(g, model));
    files.push(join(outDir, file));
    entries[name] = graphEntry(g, file);
    built.push(g);
  }

  const params = unionParams(built);
  const init = initialState(params, [], seed);
  writeFileAtomic(join(outDir, 'init.safetensors'), encodeSafetensors(init, { format: 'pt', seed: String(seed) }));
  files.push(join(outDir, 'init.safetensors'));

  const parameters = params.map(parameterEntry);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    config,
    shape,
    seed,
    init: 'init.safetensors',
    graphs: entries,
    parameters,
    parameterCounts: parameterCounts(parameters),
    bufferCount: parameters.filter((p) => p.role === 'buffer').length,
  };
  writeFileAtomic(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push(join(outDir, 'manifest.json'));
  return { manifest, files };
}
