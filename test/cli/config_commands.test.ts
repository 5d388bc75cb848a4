// The commands as a user types them: --print-config shows the resolved config and creates nothing, bad
// values stop before any folder exists, renamed flags say their new names.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultTrainConfig } from '../../src/config/train_config.ts';
import { defaultRunDir } from '../../src/train/run_folder.ts';

const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', './scripts/register-ts.mjs', 'src/cli/main.ts', ...args], { encoding: 'utf8' });

test('train --print-config prints the resolved, validated config and creates nothing', () => {
  const name = `print-config-${process.pid}`;
  const plain = cli('train', '--print-config', '--name', name, '--recipe', 'none');
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout), { ...defaultTrainConfig(), name });
  // The recipe's learning rate is SGD's: another optimizer drops it and starts from its own.
  const tuned = cli('train', '--print-config', '--name', name, '--optimizer', 'adam', '--epochs', '3', '--warmup-epochs', '0.25', '--no-export');
  const c = JSON.parse(tuned.stdout);
  assert.deepEqual([c.model.optimizer.kind, c.stage1.lr, c.stage1.epochs, c.stage1.warmupEpochs, c.export], ['adam', 0.001, 3, 0.25, false]);
  assert.match(tuned.stderr, /^recipe for 60,000 training images of ~28 px, grayscale, 10 classes, no time budget/m);
  assert.match(tuned.stderr, /--lr 0\.4 +\(not taken: --optimizer is yours\)/);
  assert.match(tuned.stderr, /--epochs 10 +\(overridden\)/);
  assert.ok(!existsSync(defaultRunDir(name)), 'no run folder');
});

test('a bad value stops train before any folder exists, naming field, flag and value', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'cli-')), 'run');
  const run = cli('train', '--epochs', '0', '--batch-size', '2.5', '--run-dir', dir);
  assert.equal(run.status, 1);
  assert.match(run.stderr, /stage1\.epochs \(--epochs\) is 0: must be an integer >= 1/);
  assert.match(run.stderr, /stage1\.batchSize \(--batch-size\) is 2\.5: must be an integer >= 1/);
  assert.ok(!existsSync(dir));
  assert.match(cli('train', '--model', 'resnet18', '--print-config').stderr, /--model is now --encoder/);
});

test('compare and experiment print the configs of their runs', () => {
  const compare = cli('compare', '--print-config', '--minutes', '2', '--epochs', '4');
  assert.equal(compare.status, 0, compare.stderr);
  const { minutes, runs } = JSON.parse(compare.stdout);
  assert.equal(minutes, 2);
  assert.deepEqual(Object.keys(runs), ['SupCon (supcon)', 'supcon+ce', 'cross-entropy']);
  assert.deepEqual([runs['supcon+ce'].method, runs['supcon+ce'].stage1.epochs], ['supcon+ce', 4]);
  assert.deepEqual([runs['cross-entropy'].method, runs['cross-entropy'].baseline.epochs, runs['cross-entropy'].baseline.augmentation], ['ce', 4, 'padcrop'], 'the recipe\'s view for grayscale images');

  const spec = join(mkdtempSync(join(tmpdir(), 'cli-')), 'grid.json');
  writeFileSync(spec, JSON.stringify({ name: 'grid', base: { stage1: { epochs: 3 } }, grid: { optimizer: ['sgd', 'adam'], batchSize: [64] } }));
  const grid = cli('experiment', spec, '--print-config', '--width', '8');
  assert.equal(grid.status, 0, grid.stderr);
  const points = JSON.parse(grid.stdout);
  assert.deepEqual(Object.keys(points), ['optimizer=sgd, batchSize=64', 'optimizer=adam, batchSize=64']);
  const adam = points['optimizer=adam, batchSize=64'];
  assert.deepEqual([adam.stage1.epochs, adam.stage1.lr, adam.stage1.batchSize, adam.model.width], [3, 0.001, 64, 8]);
});
