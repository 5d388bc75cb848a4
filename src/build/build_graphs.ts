// Builds every graph of a model config and writes them with the initial parameters and a manifest:
//   <outDir>/stage1.onnx stage2.onnx stage2_features.onnx baseline.onnx embed.onnx logits.onnx
//   <outDir>/init.safetensors   params and buffers by PyTorch-style name, drawn from their Init
//   <outDir>/manifest.json      see manifest.ts

import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ModelConfig } from '../../graphs/config.ts';
import type { ParamInfo } from '../../graphs/params.ts';
import { type BuiltGraph, GRAPH_BUILDERS, GRAPH_NAMES, type GraphName } from '../../graphs/stages.ts';
import { serializeStep } from '../../graphs/step.ts';
import * as b from '../onnx/index.ts';
import { initialState } from '../runtime/init.ts';
import { encodeSafetensors } from '../train/safetensors.ts';
import { MANIFEST_FORMAT, type Manifest, graphEntry, parameterCounts, parameterEntry } from './manifest.ts';

export interface BuildOptions {
  /** Which graphs to write (all by default). */
  graphs?: readonly GraphName[];
  /** Seed of the initial parameters. */
  seed?: number;
}

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

/** Writes atomically (temp file + rename) so that a reader never sees half a file. */
async function writeAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

export async function buildGraphs(cfg: ModelConfig, outDir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const names = options.graphs ?? GRAPH_NAMES;
  const seed = options.seed ?? 0;
  await mkdir(outDir, { recursive: true });
  const files: string[] = [];
  const built: BuiltGraph[] = [];
  const entries: Manifest['graphs'] = {};
  for (const name of names) {
    const g = GRAPH_BUILDERS[name](cfg);
    const file = `${name}.onnx`;
    await writeAtomic(join(outDir, file), serializeBuilt(g, cfg));
    files.push(join(outDir, file));
    entries[name] = graphEntry(g, file);
    built.push(g);
  }

  const params = unionParams(built);
  const init = initialState(params, [], seed);
  await writeAtomic(join(outDir, 'init.safetensors'), encodeSafetensors(init, { format: 'pt', seed: String(seed) }));
  files.push(join(outDir, 'init.safetensors'));

  const parameters = params.map(parameterEntry);
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    config: cfg,
    seed,
    init: 'init.safetensors',
    graphs: entries,
    parameters,
    parameterCounts: parameterCounts(parameters),
    bufferCount: parameters.filter((p) => p.role === 'buffer').length,
  };
  await writeAtomic(join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  files.push(join(outDir, 'manifest.json'));
  return { manifest, files };
}
