// The recipe chooser is a pure function of (data summary, budget): these are its rules, one data shape
// at a time, and the config it makes through the flag table.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Recipe, MAX_BATCH, MIN_BATCH, chooseRecipe, photoSide, recipePatches, referenceEpochs } from '../../src/config/recipe.ts';
import { resolveTrainConfig } from '../../src/config/resolve.ts';
import type { DataSummary } from '../../src/data/summary.ts';

const summary = (trainImages: number, side: number, channels: 1 | 3 = 3, classes = 5): DataSummary => ({ trainImages, classes, channels, side });
const choice = (recipe: Recipe, flag: string): string | undefined => recipe.choices.find((c) => c.flag === flag)?.value;
const configOf = (recipe: Recipe, overridden: ReadonlySet<string> = new Set()) => resolveTrainConfig(recipePatches(recipe, overridden));

test('photos: the input side grows with the budget, up to the photos\' own', () => {
  const photos = summary(1250, 375);
  assert.deepEqual([5, 10, 20, 60].map((m) => photoSide(photos, m)), [32, 32, 64, 96]);
  assert.equal(photoSide(summary(1250, 80), 60), 64, 'never above the photos\' side');
  assert.equal(photoSide(summary(100_000, 400), 5), 32, 'a large folder in a short budget still trains at the smallest side');
  for (const m of [5, 10, 20]) assert.ok(referenceEpochs(1250, photoSide(photos, m), m) >= 150, `${m} min: at least 150 epochs`);
});

test('a small folder of large photos: small batches, many steps, the small CNN below 96 px and ResNet-18 above', () => {
  const short = chooseRecipe(summary(245, 500), 5);
  assert.equal(choice(short, '--image-size'), '64');
  assert.equal(choice(short, '--encoder'), 'small_cnn');
  assert.equal(choice(short, '--batch-size'), String(MIN_BATCH));
  assert.equal(choice(short, '--lr'), '0.05');
  assert.equal(choice(short, '--epochs'), undefined, 'with --minutes the epochs come from the calibration');
  const long = configOf(chooseRecipe(summary(245, 500), 30));
  assert.deepEqual([long.imageSize, long.model.encoder, long.model.stem], [128, 'resnet18', 'imagenet']);
});

test('tiny images are trained at their own side; grayscale ones with shifts, colour ones with SimAugment', () => {
  const gray = configOf(chooseRecipe(summary(60_000, 28, 1, 10), undefined));
  assert.deepEqual([gray.imageSize, gray.model.encoder, gray.stage1.views, gray.baseline.augmentation], [28, 'small_cnn', ['padcrop'], 'padcrop']);
  assert.deepEqual([gray.stage1.batchSize, gray.stage1.lr, gray.stage1.epochs], [MAX_BATCH, 0.4, 10], 'a large data set: the largest batch, few epochs');
  const colour = configOf(chooseRecipe(summary(1250, 32), undefined));
  assert.deepEqual([colour.imageSize, colour.stage1.views, colour.stage1.batchSize, colour.stage1.lr], [32, ['simaugment'], 64, 0.1]);
  assert.equal(colour.stage1.epochs, 300, 'a small data set: many epochs (capped)');
  assert.equal(colour.stage1.warmupEpochs, 15);
});

test('the method is supcon+ce, and every choice is a flag the user can override', () => {
  const recipe = chooseRecipe(summary(1250, 375), 10);
  const config = configOf(recipe);
  assert.equal(config.method, 'supcon+ce');
  assert.equal(config.stage2.batchSize, 256, 'stage 2 is not planned for the one-stage method');
  // The warm-up follows --epochs and the learning rate --batch-size and --optimizer: a user's value drops them.
  const unbudgeted = chooseRecipe(summary(1250, 375), undefined);
  const withEpochs = configOf(unbudgeted, new Set(['--epochs']));
  assert.equal(withEpochs.stage1.warmupEpochs, 0.5, 'the default warm-up, not 5% of the recipe\'s epochs');
  assert.equal(configOf(unbudgeted, new Set(['--optimizer'])).stage1.lr, 0.1, 'the default learning rate, not the scaled SGD one');
  assert.deepEqual(configOf(unbudgeted, new Set(['--method'])).stage1.views, ['simaugment', 'simaugment'], 'SupCon keeps its two default views');
});
