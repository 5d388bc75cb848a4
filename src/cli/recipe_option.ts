// --recipe on the commands that start runs (train, compare): the recipe (src/config/recipe.ts) chosen
// from a summary of the data set and --minutes goes under the user's --config and flags, and is
// printed with its reasons before anything else happens.

import { type Command, Option } from 'commander';
import { FLAGS, flagPaths, patchPaths } from '../config/flags.ts';
import { type Recipe, chooseRecipe, describeRecipe, recipePatches } from '../config/recipe.ts';
import { type ConfigPatch, resolveTrainConfig } from '../config/resolve.ts';
import { summarizeDataset } from '../data/summary.ts';

export function addRecipeOption(cmd: Command): Command {
  return cmd.addOption(new Option('--recipe <kind>', 'auto: choose image size, batch, learning rate, warm-up, ... from the data set and --minutes (printed with the reasons; flags override any choice); none: the plain defaults').choices(['auto', 'none']).default('auto'));
}

/** The flags of the recipe that `patches` (the user's --config and flags) replace. */
function overriddenFlags(recipe: Recipe, patches: readonly ConfigPatch[]): Set<string> {
  const given = new Set(patches.flatMap((p) => patchPaths(p.values)));
  const flags = new Set(recipe.choices.flatMap((c) => [c.flag, ...(c.follows ?? [])]));
  return new Set([...flags].filter((name) => {
    const flag = FLAGS.find((f) => f.name === name);
    return flag !== undefined && flagPaths(flag).some((path) => given.has(path));
  }));
}

/**
 * `patches` with the recipe of their data set and budget underneath (printed to stderr), or as they are
 * with --recipe none.
 */
export async function withRecipe(cmd: Command, patches: readonly ConfigPatch[], minutes: number | undefined): Promise<ConfigPatch[]> {
  if (cmd.getOptionValue('recipe') === 'none') return [...patches];
  const { dataset } = resolveTrainConfig(patches);
  const data = await summarizeDataset(dataset);
  const recipe = chooseRecipe(data, minutes);
  const overridden = overriddenFlags(recipe, patches);
  process.stderr.write(`${describeRecipe(recipe, data, overridden).join('\n')}\n`);
  return [...recipePatches(recipe, overridden), ...patches];
}
