// The recipe a run starts from, chosen from the data set and the time budget. A pure function of (data
// summary, budget), so the same folder and budget give the same choices on every machine; each choice
// is a flag of the one flag table with the reason it was taken, printed before the run. Flags given on
// the command line and --config files patch over the recipe, so every choice can be overridden.
//
// The rules and their constants are the measured ones of docs/recipes.md (photo folders, CIFAR-10 and
// Fashion-MNIST at 5, 10 and 20 minutes on 2 CPU cores). Where a rule needs to know how fast training
// goes (which input side a budget can afford), it assumes the reference machine, 2 CPU cores; with
// --minutes the epochs themselves come from a calibration on the machine at hand (src/train/budget.ts).

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

/** Images of at most this side are used at their own side (CIFAR's 32, Fashion-MNIST's 28); larger ones are photos. */
export const NATIVE_SIDE_MAX = 48;
/** Input sides a photo folder may be trained at. */
export const PHOTO_SIDES: readonly number[] = [32, 64, 96, 128];
/** A photo side is affordable when the budget trains at least this many epochs at it (from scratch, fewer underfit). */
export const MIN_PHOTO_EPOCHS = 150;
/** The reference machine (2 CPU cores): images per second of one-view training at 32 px; cost grows with the pixels. */
export const REFERENCE_IMAGES_PER_SECOND = 700;
/** Without --minutes, the run is planned for this long on the reference machine. */
export const PLANNED_MINUTES = 10;
/** Above this side, a ResNet-18 with the ImageNet stem (its receptive field covers the image; the small CNN's does not). */
export const RESNET_MIN_SIDE = 96;
/** Steps per epoch the batch is sized for: small data sets take smaller batches and more steps. */
export const STEPS_PER_EPOCH = 16;
export const MIN_BATCH = 32;
export const MAX_BATCH = 256;
/** SGD's learning rate per 256 images of batch (linear scaling, Goyal et al. 2017). */
export const LR_PER_256 = 0.4;
/** Linear warm-up over this share of the epochs (with --minutes, the budget keeps the share as it fits the epochs). */
export const WARMUP_SHARE = 0.05;
export const MIN_EPOCHS = 10;
export const MAX_EPOCHS = 300;

const pow2Floor = (n: number): number => 2 ** Math.floor(Math.log2(Math.max(1, n)));
const clamp = (x: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, x));
const count = (n: number): string => n.toLocaleString('en-US');

/** Epochs of `images` at input side `side` that `minutes` train on the reference machine. */
export function referenceEpochs(images: number, side: number, minutes: number): number {
  return (minutes * 60 * REFERENCE_IMAGES_PER_SECOND * (32 / side) ** 2) / images;
}

/** The photo side for `minutes`: the largest of PHOTO_SIDES, up to the photos' own, that still trains MIN_PHOTO_EPOCHS. */
export function photoSide(data: DataSummary, minutes: number): number {
  const sides = PHOTO_SIDES.filter((s) => s <= data.side);
  return sides.filter((s) => referenceEpochs(data.trainImages, s, minutes) >= MIN_PHOTO_EPOCHS).at(-1) ?? sides[0] ?? data.side;
}

export function chooseRecipe(data: DataSummary, minutes: number | undefined): Recipe {
  const choices: RecipeChoice[] = [];
  const choose = (flag: string, value: string | number, why: string, follows?: readonly string[]): void => {
    choices.push({ flag, value: String(value), why, ...(follows === undefined ? {} : { follows }) });
  };
  const planned = minutes ?? PLANNED_MINUTES;
  const photos = data.side > NATIVE_SIDE_MAX;
  const side = photos ? photoSide(data, planned) : data.side;
  choose('--image-size', side, photos
    ? `photos of ~${data.side} px: the largest side at which ${planned} min train ${MIN_PHOTO_EPOCHS}+ epochs`
    : `images of ${data.side} px: their own side`);
  if (side >= RESNET_MIN_SIDE) {
    choose('--encoder', 'resnet18', `at ${side} px a ResNet-18 sees the whole image, the small CNN does not`);
    choose('--stem', 'imagenet', 'the 7x7/2 conv and max-pool: maps at a quarter of the side');
  } else {
    choose('--encoder', 'small_cnn', `${side} px: the small CNN (width 32), the most epochs per minute`);
  }

  choose('--method', 'supcon+ce', 'at equal time it matched or beat cross-entropy; two-stage SupCon trailed (docs/recipes.md)');
  const view = data.channels === 1 ? 'padcrop' : 'simaugment';
  const why = data.channels === 1 ? 'shifts and flips (grayscale: no colour to jitter)' : 'the SupCon paper\'s crops, flips and colour jitter';
  choose('--views', view, `one view per image, ${why}; positives: the batch's other images of the class`, ['--method']);
  choose('--augment', view, 'the cross-entropy baseline\'s augmentation, the same');

  const batch = clamp(pow2Floor(data.trainImages / STEPS_PER_EPOCH), MIN_BATCH, MAX_BATCH);
  choose('--batch-size', batch, `${Math.floor(data.trainImages / batch)} steps per epoch (${STEPS_PER_EPOCH}+ where the batch can stay ${MIN_BATCH}-${MAX_BATCH})`);
  const lr = Number(((LR_PER_256 * batch) / 256).toPrecision(3));
  choose('--lr', lr, `SGD: ${LR_PER_256} per 256 images of batch`, ['--batch-size', '--optimizer']);
  if (minutes === undefined) {
    const epochs = clamp(Math.round(referenceEpochs(data.trainImages, side, PLANNED_MINUTES)), MIN_EPOCHS, MAX_EPOCHS);
    choose('--epochs', epochs, `no --minutes: what ${PLANNED_MINUTES} min train on 2 CPU cores (${MIN_EPOCHS}-${MAX_EPOCHS})`);
    const warmup = Math.max(0.5, Math.round(epochs * WARMUP_SHARE * 10) / 10);
    choose('--warmup-epochs', warmup, `${WARMUP_SHARE * 100}% of the epochs`, ['--epochs']);
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
