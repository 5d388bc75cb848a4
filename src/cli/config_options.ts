// The flag table (src/config/flags.ts) on a commander command: every flag without a commander default
// (so "not given" stays visible and the defaults live in one place), --config, --print-config, and the
// old build-graph names answered with the new ones.

import { type Command, InvalidArgumentError, Option } from 'commander';
import { FLAGS, type Flag, RENAMED_FLAGS } from '../config/flags.ts';
import { type ConfigPatch, configFilePatch, flagPatches } from '../config/resolve.ts';
import { defaultTrainConfig } from '../config/train_config.ts';

/** Commander's attribute name of a flag: '--image-size' -> 'imageSize'. */
const attribute = (name: string): string => name.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function helpOf(f: Flag): string {
  const value = f.read(defaultTrainConfig());
  const shown = value === undefined || value === '' ? '' : typeof value === 'boolean' ? ` (default ${value ? f.name : `--no-${f.name.slice(2)}`})` : ` (default ${value})`;
  const choices = f.choices && f.name !== '--method' ? `; one of ${f.choices.join(', ')}` : '';
  return `${f.help}${choices}${shown}`;
}

/** Adds the table's flags (`graphOnly`: those that shape the graphs, for build-graph), --config and --print-config. */
export function addConfigOptions(cmd: Command, options: { graphOnly?: boolean } = {}): Command {
  cmd.option('--config <file>', 'JSON file with a partial TrainConfig (src/config/train_config.ts); flags override it');
  cmd.option('--print-config', 'print the resolved, validated configuration as JSON and exit without creating anything');
  for (const f of FLAGS) {
    if (options.graphOnly && !f.graph) continue;
    if (f.value === undefined) {
      cmd.addOption(new Option(f.name, helpOf(f)));
      cmd.addOption(new Option(`--no-${f.name.slice(2)}`, `the opposite of ${f.name}`));
    } else {
      cmd.addOption(new Option(`${f.name} ${f.value}`, helpOf(f)));
    }
  }
  for (const [old, now] of Object.entries(RENAMED_FLAGS)) {
    cmd.addOption(new Option(`${old} <value>`).hideHelp().argParser(() => {
      throw new InvalidArgumentError(`${old} is now ${now}`);
    }));
  }
  return cmd;
}

/** The config patches of the parsed command: --config first, then the flags given on the command line. */
export function commandPatches(cmd: Command): ConfigPatch[] {
  const given = new Map<string, string | boolean>();
  for (const f of FLAGS) {
    const key = attribute(f.name);
    if (cmd.getOptionValueSource(key) !== 'cli') continue;
    const value: unknown = cmd.getOptionValue(key);
    if (typeof value === 'string' || typeof value === 'boolean') given.set(f.name, value);
  }
  const file: unknown = cmd.getOptionValue('config');
  return [...(typeof file === 'string' ? [configFilePatch(file)] : []), ...flagPatches(given)];
}

/** Prints `value` as JSON when --print-config was given; true when it did (the command then stops). */
export function printedConfig(cmd: Command, value: unknown): boolean {
  if (cmd.getOptionValue('printConfig') !== true) return false;
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  return true;
}
