// npm run build-graph -- --model resnet18 --stem cifar --size 32 [--config model.json] [--out artifacts]
// Builds the stage-1, stage-2, baseline and eval graphs of one model config and writes them, the initial
// parameters and manifest.json to <out>/<name>/ (see src/build/build_graphs.ts).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { GRAPH_NAMES, type GraphName } from '../graphs/stages.ts';
import { buildGraphs } from '../src/build/build_graphs.ts';
import { addModelOptions, modelConfigFrom, parseModelConfig } from '../src/build/options.ts';

const program = addModelOptions(new Command('build-graph').description('Write the ONNX training and eval graphs of a model'))
  .option('--out <dir>', 'artifacts root', 'artifacts')
  .option('--seed <n>', 'seed of the initial parameters', Number, 0)
  .addOption(new Option('--graphs <names...>', 'graphs to write').choices(GRAPH_NAMES).default([...GRAPH_NAMES]))
  .parse();

const flags = program.opts<{ config?: string; out: string; seed: number; graphs: GraphName[] }>();
const file = flags.config ? parseModelConfig(JSON.parse(await readFile(flags.config, 'utf8'))) : {};
const config = modelConfigFrom(program, file);
const outDir = join(flags.out, config.name);
const started = performance.now();
const { manifest, files } = await buildGraphs(config, outDir, { graphs: flags.graphs, seed: flags.seed });
const counts = manifest.parameterCounts;
console.log(`${config.name}: ${config.encoder} (${config.stem} stem, ${config.inputChannels}x${config.inputSize}x${config.inputSize}), ` +
  `encoder ${counts.encoder.toLocaleString('en-US')} params, head ${counts.head.toLocaleString('en-US')}, classifier ${counts.classifier.toLocaleString('en-US')}`);
for (const f of files) console.log(`  wrote ${f}`);
console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
