// `build-graph`: write the stage-1, stage-2, baseline and eval graphs of one model config, the initial
// parameters and manifest.json to <out>/<name>/ (see src/build/build_graphs.ts).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Command, Option } from 'commander';
import { GRAPH_NAMES, type GraphName } from '../../graphs/stages.ts';
import { buildGraphs } from '../build/build_graphs.ts';
import { addModelOptions, modelConfigFrom, parseModelConfig } from '../build/options.ts';

export function buildGraphCommand(): Command {
  const cmd: Command = addModelOptions(new Command('build-graph').description('write the ONNX training and eval graphs of a model'))
    .option('--out <dir>', 'artifacts root', 'artifacts')
    .option('--seed <n>', 'seed of the initial parameters', Number, 0)
    .addOption(new Option('--graphs <names...>', 'graphs to write').choices(GRAPH_NAMES).default([...GRAPH_NAMES]))
    .action(async () => {
      const flags = cmd.opts<{ config?: string; out: string; seed: number; graphs: GraphName[] }>();
      const file = flags.config ? parseModelConfig(JSON.parse(await readFile(flags.config, 'utf8'))) : {};
      const config = modelConfigFrom(cmd, file);
      const started = performance.now();
      const { manifest, files } = await buildGraphs(config, join(flags.out, config.name), { graphs: flags.graphs, seed: flags.seed });
      const counts = manifest.parameterCounts;
      const n = (x: number): string => x.toLocaleString('en-US');
      console.log(`${config.name}: ${config.encoder} (${config.stem} stem, ${config.inputChannels}x${config.inputSize}x${config.inputSize}), ` +
        `encoder ${n(counts.encoder)} params, head ${n(counts.head)}, classifier ${n(counts.classifier)}`);
      for (const f of files) console.log(`  wrote ${f}`);
      console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
  return cmd;
}
