// Model options: defaults, a config file, and flags given on the command line, in that precedence.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Command } from 'commander';
import { addModelOptions, modelConfigFrom, parseModelConfig } from '../../src/build/options.ts';

const parse = (argv: string[], file = {}) => {
  const cmd = addModelOptions(new Command('t')).exitOverride();
  cmd.parse(argv, { from: 'user' });
  return modelConfigFrom(cmd, parseModelConfig(file));
};

test('defaults: ResNet-18 CIFAR, SupCon tau 0.1, SGD momentum 0.9, name from model and loss', () => {
  const cfg = parse([]);
  assert.equal(cfg.encoder, 'resnet18');
  assert.equal(cfg.name, 'resnet18_supcon');
  assert.deepEqual(cfg.optimizer, { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4, dampening: 0 });
});

test('flags override the config file, which overrides defaults', () => {
  const file = { encoder: 'small_cnn', inputSize: 28, inputChannels: 1, loss: 'simclr', optimizer: { kind: 'adamw', weightDecay: 0.05 } };
  const cfg = parse(['--size', '32', '--temperature', '0.5', '--name', 'x'], file);
  assert.equal(cfg.encoder, 'small_cnn');
  assert.equal(cfg.inputSize, 32);
  assert.equal(cfg.inputChannels, 1);
  assert.equal(cfg.temperature, 0.5);
  assert.equal(cfg.name, 'x');
  assert.deepEqual(cfg.optimizer, { kind: 'adamw', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.05 });
  const sgd = parse(['--optimizer', 'sgd', '--momentum', '0.8', '--nesterov'], file);
  assert.deepEqual(sgd.optimizer, { kind: 'sgd', momentum: 0.8, nesterov: true, weightDecay: 1e-4, dampening: 0 });
});

test('bad config values are rejected with the field named', () => {
  assert.throws(() => parseModelConfig({ encoder: 'vgg' }), /encoder must be one of/);
  assert.throws(() => parseModelConfig({ batch: 3 }), /unknown model config keys: batch/);
  assert.throws(() => parseModelConfig({ batchSize: '3' }), /batchSize must be a number/);
  assert.throws(() => parse(['--views', '0']), /views must be a positive integer/);
});
