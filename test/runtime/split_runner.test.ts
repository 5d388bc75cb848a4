// SplitStepRunner's contract: every graph input fed, passed between graphs or held (named per graph when
// not), chunked feeds that split into chunks, `gradients()` that leaves the parameters alone, and a
// state without the summed gradients.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultModelConfig } from '../../graphs/config.ts';
import { stage1Recipe } from '../../graphs/recipes.ts';
import { splitModels, splitStep } from '../../graphs/split_step.ts';
import { SplitStepRunner } from '../../src/runtime/split_runner.ts';
import { floats, int64, patternImages, stackViews, startState, withoutBatchNorm } from '../graphs/train_helpers.ts';

const cfg = defaultModelConfig({ inputSize: 6, inputChannels: 1, featDim: 3, batchSize: 4, chunkSize: 2 });
const step = splitStep('stage1', cfg, withoutBatchNorm(stage1Recipe(cfg), cfg.featDim, true));
const labels = [0, 1, 0, 1];
const feeds = { images: stackViews([patternImages(labels, 1, 6, 1), patternImages(labels, 1, 6, 2)]), labels: int64(labels) };

test('a state without a parameter is refused, naming each graph that reads it', async () => {
  const state = startState(step);
  state.delete('conv.weight');
  state.delete('conv.weight.momentum_buffer');
  await assert.rejects(SplitStepRunner.create(splitModels(step), state, { feeds: ['images', 'labels'] }),
    /graph inputs neither fed per step nor held in state: forward: conv\.weight; backward: conv\.weight; apply: conv\.weight, conv\.weight\.momentum_buffer/);
});

test('images that do not split into chunks, and missing feeds, are errors naming them', async () => {
  const runner = await SplitStepRunner.create(splitModels(step), startState(step), { feeds: ['images', 'labels'] });
  const odd = { ...feeds, images: { ...feeds.images, dims: [7, 1, 6, 6], data: feeds.images.data.subarray(0, 7 * 36) } };
  await assert.rejects(runner.run(odd, 0.1, 1), /feeds images have 7 rows, which must be equal and split into chunks of 2/);
  await assert.rejects(runner.run({ images: feeds.images }, 0.1, 1), /missing feeds \[labels\]/);
  await runner.release();
});

test('gradients() returns grad.<param> and leaves the parameters; state() never holds the sums', async () => {
  const start = startState(step);
  const runner = await SplitStepRunner.create(splitModels(step), start, { feeds: ['images', 'labels'] });
  const { gradients, loss } = await runner.gradients(feeds);
  assert.ok(Number.isFinite(loss));
  assert.deepEqual([...gradients.keys()].sort(), ['grad.conv.bias', 'grad.conv.weight', 'grad.head.bias', 'grad.head.weight']);
  assert.ok(floats(gradients.get('grad.head.weight')!).some((v) => v !== 0));
  const state = await runner.state();
  assert.deepEqual(state.get('conv.weight')!.data, start.get('conv.weight')!.data, 'no update without apply');
  assert.ok([...state.keys()].every((n) => !n.startsWith('grad.')));
  const { loss: stepLoss } = await runner.run(feeds, 0.1, 1);
  assert.equal(stepLoss, loss, 'the same parameters give the same loss');
  assert.notDeepEqual((await runner.state()).get('conv.weight')!.data, start.get('conv.weight')!.data);
  await runner.release();
});
