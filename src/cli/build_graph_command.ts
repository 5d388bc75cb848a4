// `build-graph`: write the stage-1, stage-2, baseline and eval graphs that `train` with the same flags
// would run, the initial parameters and manifest.json, to <out>/<name>/ (see src/build/build_graphs.ts).
// The input side, channels and classes come from --image-size, --channels and --classes, or else from
// the data set (--dataset), as in training.

import { join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { GRAPH_NAMES, type GraphName } from '../../graphs/stages.ts';
import { resolveTrainConfig } from '../config/resolve.ts';
import type { TrainConfig } from '../config/train_config.ts';
import { type GraphShape, buildGraphs } from '../build/build_graphs.ts';
import { encoderLabel, isOnnxEncoder } from '../../graphs/encoders/index.ts';
import { modelInput } from '../train/encoder_file.ts';
import { openSplits } from '../train/run_data.ts';
import { addConfigOptions, commandPatches, printedConfig } from './config_options.ts';

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`'${value}' is not an integer >= 1`);
  return n;
}

function channels(value: string): 1 | 3 {
  if (value !== '1' && value !== '3') throw new InvalidArgumentError(`'${value}' is not 1 or 3`);
  return value === '1' ? 1 : 3;
}

/** The shape given by flags, else an imported model's input; whatever they leave open is read from the data set. */
async function graphShape(config: TrainConfig, given: { channels?: 1 | 3; classes?: number }): Promise<GraphShape> {
  const named = (n: number): string[] => Array.from({ length: n }, (_, i) => String(i));
  const model = modelInput(config);
  const channels = given.channels ?? model.channels;
  if (model.size > 0 && channels !== undefined && given.classes !== undefined) {
    return { size: model.size, channels, classes: named(given.classes) };
  }
  const { train, inputSize } = await openSplits(config.dataset, config, { size: model.size, channels });
  return { size: inputSize, channels: channels ?? train.channels, classes: given.classes === undefined ? [...train.classes] : named(given.classes) };
}

export function buildGraphCommand(): Command {
  const cmd: Command = addConfigOptions(new Command('build-graph').description('write the ONNX training and eval graphs of a training configuration'), { graphOnly: true })
    .option('--out <dir>', 'artifacts root', 'artifacts')
    .option('--channels <n>', 'input channels, 1 or 3 (default: the data set\'s)', channels)
    .option('--classes <n>', 'number of classes (default: the data set\'s)', count)
    .addOption(new Option('--graphs <names...>', 'graphs to write (default: all; hybrid with --method supcon+ce)').choices(GRAPH_NAMES))
    .action(async () => {
      const flags = cmd.opts<{ out: string; channels?: 1 | 3; classes?: number; graphs?: GraphName[] }>();
      const config = resolveTrainConfig(commandPatches(cmd));
      const shape = await graphShape(config, flags);
      if (printedConfig(cmd, { config, shape })) return;
      const method = config.method === 'supcon' ? config.model.loss : config.method;
      const encoder = encoderLabel(config.model.encoder);
      const name = cmd.getOptionValueSource('name') === 'cli' ? config.name : `${encoder.replace(/^onnx:|\.onnx$/g, '')}_${method}`;
      const started = performance.now();
      const { manifest, files } = buildGraphs(config, shape, join(flags.out, name), flags.graphs ? { graphs: flags.graphs } : {});
      const counts = manifest.parameterCounts;
      const n = (x: number): string => x.toLocaleString('en-US');
      const stem = isOnnxEncoder(encoder) ? '' : `${config.model.stem} stem, `;
      console.log(`${name}: ${encoder} (${stem}${shape.channels}x${shape.size}x${shape.size}, ${shape.classes.length} classes), ` +
        `encoder ${n(counts.encoder)} params, head ${n(counts.head)}, classifier ${n(counts.classifier)}`);
      for (const f of files) console.log(`  wrote ${f}`);
      console.log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    });
  return cmd;
}
