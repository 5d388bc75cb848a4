import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { addTrainOptions, trainConfigFrom, type TrainFlags } from '../../src/cli/train_options.ts';
import { defaultTrainConfig } from '../../src/train/config.ts';
import { gridCombinations, matchingBaseline } from '../../src/train/compare.ts';

function parse(argv: string[]): TrainFlags {
  const cmd = addTrainOptions(new Command('train')).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return cmd.opts<TrainFlags>();
}

test('no flags give the defaults', () => {
  assert.deepEqual(trainConfigFrom(parse([])), defaultTrainConfig());
});

test('flags map onto the config: method, encoder, schedule, views, stage sizes', () => {
  const c = trainConfigFrom(parse([
    '--method', 'simclr', '--encoder', 'resnet18', '--epochs', '7', '--linear-epochs', '3', '--batch-size', '64',
    '--schedule', 'step', '--views', 'randaugment,autoaugment', '--optimizer', 'adam', '--no-export',
  ]));
  assert.equal(c.method, 'supcon');
  assert.equal(c.model.loss, 'simclr');
  assert.equal(c.model.encoder, 'resnet18');
  assert.equal(c.model.optimizer.kind, 'adam');
  assert.equal(c.stage1.lr, 1e-3, 'adaptive optimizers get a small default lr');
  assert.deepEqual(c.stage1.views, ['randaugment', 'autoaugment']);
  assert.deepEqual(c.stage1.schedule, { kind: 'step', milestones: [4, 6], gamma: 0.1 });
  assert.equal(c.stage1.epochs, 7);
  assert.equal(c.baseline.epochs, 7);
  assert.equal(c.stage2.epochs, 3);
  assert.equal(c.stage2.batchSize, 64);
  assert.equal(c.export, false);
  assert.equal(trainConfigFrom(parse(['--method', 'max-margin'])).model.loss, 'max_margin');
  assert.equal(trainConfigFrom(parse(['--method', 'ce'])).method, 'ce');
});

test('bad flag values are rejected with the allowed choices', () => {
  assert.throws(() => parse(['--views', 'simaugment,blur']), /unknown augmentation blur/);
  assert.throws(() => parse(['--encoder', 'vgg']), /Allowed choices are resnet18/);
});

test('the matching baseline takes stage 1 data, augmentation, schedule and epochs', () => {
  const c = trainConfigFrom(parse(['--epochs', '5', '--lr', '0.3']));
  const b = matchingBaseline(c);
  assert.equal(b.method, 'ce');
  assert.deepEqual(b.baseline, { epochs: 5, batchSize: c.stage1.batchSize, lr: 0.3, schedule: c.stage1.schedule, augmentation: 'simaugment' });
});

test('grid combinations are the cartesian product', () => {
  const combos = gridCombinations({ optimizer: ['sgd', 'adam'], schedule: ['constant', 'cosine', 'step'] });
  assert.equal(combos.length, 6);
  assert.deepEqual(combos[0], { optimizer: 'sgd', schedule: 'constant' });
  assert.deepEqual(combos[5], { optimizer: 'adam', schedule: 'step' });
});
