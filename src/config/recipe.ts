// The recipe a run starts from, chosen from the data set and the time budget. A pure function of (data
// summary, budget), so the same folder and budget give the same choices on every machine; each choice
// is a flag of the one flag table with the reason it was taken, printed before the run. Flags given on
// the command line and --config files patch over the recipe, so every choice can be overridden.
//
// The rules and their thresholds are the measured ones of docs/recipes.md (photo folders, CIFAR-10,
// Fashion-MNIST at 5, 10 and 20 minutes on 2 cores).

import type { DataSummary } from '../data/summary.ts';
import { findFlag } from './flags.ts';
import type { ConfigPatch } from './resolve.ts';

export interface RecipeChoice {
  /** As typed on the command line: '--image-size'. */
  flag: string;
  value: string;
  why: string;
  /** Flags this choice was derived from (the warm-up from --epochs): it is dropped when any of them is the user's. */
  follows?: readonly string[];
}

export interface Recipe {
  choices: RecipeChoice[];
  /** Minutes the recipe was chosen for; undefined without --minutes. */
  minutes: number | undefined;
}

/** Images of at most this side are used at their own side (CIFAR's 32, Fashion-MNIST's 28). */
export const NATIVE_SIDE_MAX = 48;
/** The input side for photos, by budget: the most pixels a budget can train well (docs/recipes.md). */
export const PHOTO_SIDES: ReadonlyArray<{ upToMinutes: number; side: number }> = [
  { upToMinutes: 30, side: 64 },
  { upToMinutes: Infinity, side: 96 },
];
/** Steps per epoch the batch is sized for: small data sets take smaller batches and more steps. */
export const STEPS_PER_EPOCH = 16;
export const MIN_BATCH = 32;
export const MAX_BATCH = 256;
/** SGD's learning rate per 256 images of batch (linear scaling, Goyal et al. 2017). */
export const LR_PER_256 = 0.2;
/** Linear warm-up over this share of the epochs (with --minutes, the budget keeps the share as it fits the epochs). */
export const WARMUP_SHARE = 0.05;
/** Without --minutes: epochs that show the model about this many images (at least 10, at most 300). */
export const IMAGES_WITHOUT_BUDGET = 150_000;

const pow2Floor = (n: number): number => 2 ** Math.floor(Math.log2(Math.max(1, n)));
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const count = (n: number): string => n.toLocaleString('en-US');

export function chooseRecipe(data: DataSummary, minutes: number | undefined): Recipe {
  const choices: RecipeChoice[] = [];
  const choose = (flag: string, value: string | number, why: string, follows?: readonly string[]): void => {
    choices.push({ flag, value: String(value), why, ...(follows === undefined ? {} : { follows }) });
  };
  const photos = data.side > NATIVE_SIDE_MAX;
  const what = `${count(data.trainImages)} training images of ~${data.side} px`;

  const side = photos ? (PHOTO_SIDES.find((s) => (minutes ?? 0) <= s.upToMinutes)?.side ?? 64) : data.side;
  choose('--image-size', side, photos
    ? `${what}: photos are trained at ${side} px${minutes === undefined ? '' : ` in ${minutes} min`} (each halving of the side is ~4x more steps)`
    : `${what}: their own side`);

  const batch = clamp(pow2Floor(data.trainImages / STEPS_PER_EPOCH), MIN_BATCH, MAX_BATCH);
  choose('--batch-size', batch, `${count(data.trainImages)} images: ${Math.floor(data.trainImages / batch)} steps per epoch (at least ${STEPS_PER_EPOCH} where the data allows; the batch stays within ${MIN_BATCH}-${MAX_BATCH})`);
  choose('--linear-batch-size', batch, 'stage 2 takes the same batch');
  const lr = Number(((LR_PER_256 * batch) / 256).toPrecision(3));
  choose('--lr', lr, `SGD: ${LR_PER_256} per 256 images, scaled linearly with the batch of ${batch}`, ['--batch-size', '--optimizer']);
  if (minutes === undefined) {
    const epochs = clamp(Math.round(IMAGES_WITHOUT_BUDGET / data.trainImages), 10, 300);
    choose('--epochs', epochs, `no --minutes: ${epochs} epochs show the model ~${count(epochs * data.trainImages)} images`);
    const warmup = Math.max(0.5, Math.round(epochs * WARMUP_SHARE * 10) / 10);
    choose('--warmup-epochs', warmup, `${WARMUP_SHARE * 100}% of the epochs (at least half an epoch)`, ['--epochs']);
  }
  return { choices, minutes };
}

const isDropped = (c: RecipeChoice, overridden: ReadonlySet<string>): boolean => (c.follows ?? []).some((f) => overridden.has(f));

/** The recipe as config patches, each choice through its flag; choices that follow an `overridden` flag are left out. */
export function recipePatches(recipe: Recipe, overridden: ReadonlySet<string>): ConfigPatch[] {
  return recipe.choices
    .filter((c) => !isDropped(c, overridden))
    .map((c) => ({ source: `the recipe (${c.flag} ${c.value})`, values: findFlag(c.flag).patch(c.value) }));
}

/**
 * The recipe as printed before a run: one line per choice with its reason; choices the user's flags
 * or config file replaced are marked, so what runs is what is read.
 */
export function describeRecipe(recipe: Recipe, data: DataSummary, overridden: ReadonlySet<string>): string[] {
  const budget = recipe.minutes === undefined ? 'no time budget' : `a budget of ${recipe.minutes} min`;
  const lines = [`recipe for ${count(data.trainImages)} training images of ~${data.side} px, ${data.channels === 1 ? 'grayscale' : 'colour'}, ${data.classes} classes, ${budget} (flags override any line):`];
  const width = Math.max(...recipe.choices.map((c) => `${c.flag} ${c.value}`.length));
  for (const c of recipe.choices) {
    const shown = `${c.flag} ${c.value}`.padEnd(width);
    const yours = (c.follows ?? []).filter((f) => overridden.has(f));
    const note = overridden.has(c.flag) ? '(overridden) ' : yours.length > 0 ? `(not taken: ${yours.join(', ')} ${yours.length === 1 ? 'is' : 'are'} yours) ` : '';
    lines.push(`  ${shown}  ${note}${c.why}`);
  }
  return lines;
}
