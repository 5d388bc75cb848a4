// The flag table and patch semantics: naming a default changes nothing, flags set exactly what they
// name, a kind change starts from that kind's defaults, and each defect of issue 14's list.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FLAGS, findFlag, flagPaths } from '../../src/config/flags.ts';
import { configFilePatch, flagPatches, resolveTrainConfig } from '../../src/config/resolve.ts';
import { defaultTrainConfig } from '../../src/config/train_config.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';

const withFlags = (flags: Record<string, string | boolean>) => resolveTrainConfig(flagPatches(new Map(Object.entries(flags))));

test('property: for every flag, naming its default value yields the default config', () => {
  const defaults = defaultTrainConfig();
  assert.deepEqual(resolveTrainConfig([]), defaults, 'no flags: the defaults');
  // Flags whose field is absent by default (no pattern frozen; no imported model's value to name; the
  // training split's statistics).
  const unset = new Set(['--feature-output', '--freeze', '--input-norm']);
  for (const f of FLAGS) {
    const value = f.read(defaults);
    if (unset.has(f.name)) {
      assert.equal(value, undefined, `${f.name} is unset by default`);
      continue;
    }
    assert.notEqual(value, undefined, `${f.name} applies to the default config`);
    assert.deepEqual(withFlags({ [f.name]: value! }), defaults, `${f.name} ${String(value)}`);
  }
  // All of them at once, too.
  assert.deepEqual(withFlags(Object.fromEntries(FLAGS.filter((f) => !unset.has(f.name)).map((f) => [f.name, f.read(defaults)!]))), defaults);
});

test('every flag sets a config field, and every flag reads back the value it sets', () => {
  for (const f of FLAGS) assert.ok(flagPaths(f).length > 0, `${f.name} sets something`);
  const samples: Record<string, string | boolean> = {
    '--epochs': '7', '--lr': '0.3', '--weight-decay': '0.0005', '--momentum': '0.8', '--warmup-epochs': '2', '--views': 'randaugment,autoaugment',
    '--augment': 'cropflip', '--linear-augment': 'simaugment', '--export': false, '--nesterov': true, '--method': 'max-margin', '--threads': '2',
  };
  const c = withFlags(samples);
  for (const [name, value] of Object.entries(samples)) assert.equal(findFlag(name).read(c), value, name);
});

test('--optimizer sgd (the default) keeps weight decay 1e-4 and momentum 0.9', () => {
  assert.deepEqual(withFlags({ '--optimizer': 'sgd' }).model.optimizer, { kind: 'sgd', momentum: 0.9, nesterov: false, weightDecay: 1e-4, dampening: 0 });
  // Order on the command line does not matter: the kind is applied before its fields.
  assert.equal(withFlags({ '--weight-decay': '0.0005', '--optimizer': 'sgd' }).model.optimizer.weightDecay, 5e-4);
});

test('--schedule cosine (the default) keeps the warm-up; another schedule keeps it too', () => {
  const d = defaultTrainConfig();
  assert.equal(withFlags({ '--schedule': 'cosine' }).stage1.warmupEpochs, d.stage1.warmupEpochs);
  const step = withFlags({ '--schedule': 'step', '--epochs': '20' });
  assert.deepEqual(step.stage1.schedule, { kind: 'step', milestones: [12, 16], gamma: 0.1 }, 'milestones at 60% and 80% of the final epochs');
  assert.equal(step.stage1.warmupEpochs, d.stage1.warmupEpochs);
  assert.equal(withFlags({ '--schedule': 'constant', '--warmup-epochs': '0' }).baseline.warmupEpochs, 0);
});

test('another optimizer kind starts from its own defaults and learning rate, from flags or a config file', () => {
  const adam = withFlags({ '--optimizer': 'adam' });
  assert.deepEqual(adam.model.optimizer, { kind: 'adam', beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 });
  assert.equal(adam.stage1.lr, 1e-3);
  assert.equal(adam.baseline.lr, 1e-3);
  assert.equal(adam.stage2.lr, defaultTrainConfig().stage2.lr, 'stage 2 has its own optimizer');
  assert.equal(withFlags({ '--optimizer': 'adam', '--lr': '0.01' }).stage1.lr, 0.01, 'a given lr wins');

  const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
  const file = join(dir, 'run.json');
  writeFileSync(file, JSON.stringify({ model: { optimizer: { kind: 'adam' } } }));
  const fromFile = resolveTrainConfig([configFilePatch(file)]);
  assert.equal(fromFile.stage1.lr, 1e-3, 'the per-optimizer lr is not a CLI-only rule');
  writeFileSync(file, JSON.stringify({ model: { optimizer: { kind: 'adamw', weightDecay: 0.05 } }, stage1: { lr: 0.002 } }));
  const tuned = resolveTrainConfig([configFilePatch(file)]);
  assert.deepEqual([tuned.model.optimizer.weightDecay, tuned.stage1.lr, tuned.baseline.lr], [0.05, 0.002, 1e-3]);
  // A flag over the file's kind: back to SGD starts from SGD's defaults, not from the file's Adam fields.
  assert.deepEqual(resolveTrainConfig([configFilePatch(file), ...flagPatches(new Map([['--optimizer', 'sgd']]))]).model.optimizer.kind, 'sgd');
});

test('--augment takes one augmentation; --views one per view; --linear-augment sets stage 2 only', () => {
  assert.throws(() => withFlags({ '--augment': 'simaugment,cropflip' }), /--augment takes one augmentation, got 'simaugment,cropflip'/);
  assert.throws(() => withFlags({ '--views': 'simaugment,blur' }), /--views: 'blur' is not one of none, simaugment/);
  assert.throws(() => withFlags({ '--views': '2' }), /one augmentation per view .* not a count/);
  const c = withFlags({ '--augment': 'cropflip' });
  assert.equal(c.baseline.augmentation, 'cropflip');
  assert.equal(c.stage2.augmentation, 'none', 'stage 2 keeps its precomputed features');
  assert.equal(withFlags({ '--linear-augment': 'cropflip' }).stage2.augmentation, 'cropflip');
});

test('methods map onto method and loss', () => {
  assert.deepEqual([withFlags({ '--method': 'simclr' }).method, withFlags({ '--method': 'simclr' }).model.loss], ['supcon', 'simclr']);
  assert.equal(withFlags({ '--method': 'max-margin' }).model.loss, 'max_margin');
  assert.equal(withFlags({ '--method': 'ce' }).method, 'ce');
});

test('malformed values and unknown flags are errors naming the flag', () => {
  assert.throws(() => withFlags({ '--epochs': 'ten' }), /--epochs: 'ten' is not a number/);
  assert.throws(() => withFlags({ '--encoder': 'vgg' }), /--encoder: 'vgg' is not one of resnet18, resnet34, resnet50, small_cnn/);
  assert.throws(() => withFlags({ '--epoch': '3' }), /unknown flag --epoch/);
  assert.throws(() => findFlag('model'), /--model is now --encoder/);
  assert.equal(findFlag('batchSize').name, '--batch-size', 'grid keys may be camelCase');
});

test('imported encoders: --encoder onnx:<file>, --feature-output, --freeze patterns, --input-norm statistics', () => {
  const c = withFlags({ '--encoder': 'onnx:models/net.onnx', '--feature-output': 'pooled', '--freeze': 'encoder, !encoder.layer4', '--input-norm': 'imagenet' });
  assert.deepEqual([c.model.encoder, c.model.featureOutput, c.model.freeze, c.inputNorm], ['onnx:models/net.onnx', 'pooled', ['encoder', '!encoder.layer4'], 'imagenet']);
  assert.deepEqual(withFlags({ '--input-norm': '0.5/0.25' }).inputNorm, { mean: [0.5], std: [0.25] });
  assert.equal(findFlag('--input-norm').read(withFlags({ '--input-norm': '0.5,0.4,0.3/0.2,0.2,0.2' })), '0.5,0.4,0.3/0.2,0.2,0.2');
  assert.throws(() => withFlags({ '--encoder': 'onnx:' }), /--encoder onnx: needs a file/);
  assert.throws(() => withFlags({ '--freeze': ' , ' }), /--freeze needs at least one pattern/);
  assert.throws(() => withFlags({ '--input-norm': 'pretrained' }), /--input-norm: 'pretrained' is not dataset, imagenet, none or <mean,...>\/<std,...>/);
  assert.throws(() => withFlags({ '--input-norm': '0.5,x/0.2' }), /--input-norm: '0.5,x\/0.2' is not a number|--input-norm: 'x' is not a number/);
  assert.throws(() => withFlags({ '--input-norm': '0.5,0.5/0.2,0.2' }), /one or three/);
  assert.throws(() => withFlags({ '--input-norm': '0.5/0' }), /inputNorm/);
  assert.throws(() => withFlags({ '--feature-output': 'pooled' }), /model\.featureOutput .*needs --encoder onnx:<file>, not small_cnn/);
});
