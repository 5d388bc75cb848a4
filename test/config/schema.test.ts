// Validation of resolved configs: every bad value of issue 14's list is an error naming the field, its
// flag, the value and what is allowed, found before anything runs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFilePatch, flagPatches, resolveTrainConfig } from '../../src/config/resolve.ts';
import { ConfigError, validateTrainConfig } from '../../src/config/schema.ts';
import { defaultTrainConfig } from '../../src/config/train_config.ts';

const withFlags = (flags: Record<string, string>) => resolveTrainConfig(flagPatches(new Map(Object.entries(flags))));
const withFile = (values: Record<string, unknown>) => resolveTrainConfig([{ source: 'run.json', values }]);

test('counts must be integers >= 1, temperature > 0', () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ '--epochs': '0' }, /stage1\.epochs \(--epochs\) is 0: must be an integer >= 1/],
    [{ '--epochs': '1.5' }, /stage1\.epochs \(--epochs\) is 1\.5: must be an integer >= 1/],
    [{ '--batch-size': '0' }, /stage1\.batchSize \(--batch-size\) is 0: must be an integer >= 1/],
    [{ '--batch-size': '2.5' }, /stage1\.batchSize \(--batch-size\) is 2\.5: must be an integer >= 1/],
    [{ '--width': '0' }, /model\.width \(--width\) is 0: must be an integer >= 1/],
    [{ '--temperature': '0' }, /model\.temperature \(--temperature\) is 0: must be a number > 0/],
    [{ '--linear-epochs': '-3' }, /stage2\.epochs \(--linear-epochs\) is -3/],
    [{ '--threads': '1.5' }, /threads \(--threads\) is 1\.5: must be an integer >= 0/],
    [{ '--name': 'a/b' }, /name \(--name\) is "a\/b": must be a plain folder name/],
    [{ '--momentum': '1.2' }, /model\.optimizer\.momentum \(--optimizer, --momentum\) is 1\.2: must be a number in \[0, 1\)/],
  ];
  for (const [flags, message] of cases) {
    assert.throws(() => withFlags(flags), (err: Error) => err instanceof ConfigError && message.test(err.message), JSON.stringify(flags));
  }
});

test('a warm-up that does not end before its stage is an error', () => {
  assert.throws(() => withFlags({ '--epochs': '3', '--warmup-epochs': '3' }), /stage1\.warmupEpochs \(--warmup-epochs\) is 3: must be less than stage1\.epochs \(3\): the warm-up has to end before the stage does/);
  assert.equal(withFlags({ '--epochs': '3', '--warmup-epochs': '2.5' }).stage1.warmupEpochs, 2.5);
});

test('config files: unknown keys, unknown encoders and wrong types are errors naming the field', () => {
  assert.throws(() => withFile({ model: { encoder: 'vgg' } }), /model\.encoder \(--encoder\) is "vgg": must be one of resnet18, resnet34, resnet50, small_cnn/);
  assert.throws(() => withFile({ stage1: { epoch: 3 } }), /unknown config key stage1\.epoch/);
  assert.throws(() => withFile({ encoder: 'resnet18' }), /unknown config key encoder \(model settings live under "model"\)/);
  assert.throws(() => withFile({ model: { optimizer: { kind: 'adam', momentum: 0.9 } } }), /unknown config key model\.optimizer\.momentum .*adam has no such setting/);
  assert.throws(() => withFile({ model: { optimizer: { kind: 'nadam' } } }), /model\.optimizer\.kind \(--optimizer\) is "nadam": must be one of sgd, adam, adamw, rmsprop, lars/);
  assert.throws(() => withFile({ stage1: { epochs: '3' } }), /stage1\.epochs \(--epochs\) is "3": must be an integer >= 1/);
  const dir = mkdtempSync(join(tmpdir(), 'config-file-'));
  writeFileSync(join(dir, 'list.json'), '[1, 2]');
  writeFileSync(join(dir, 'broken.json'), '{"stage1": ');
  assert.throws(() => configFilePatch(join(dir, 'list.json')), /--config .*list\.json: a config must be a JSON object/);
  assert.throws(() => configFilePatch(join(dir, 'broken.json')), /--config .*broken\.json: .*JSON/);
});

test('cross-field checks: SupCon batches split into classes, SimCLR needs two views, stage 2 alone needs weights', () => {
  assert.throws(() => withFlags({ '--batch-size': '25' }), /stage1\.batchSize \(--batch-size\) is 25: must be a multiple of stage1\.minPerClass \(2\)/);
  assert.equal(withFlags({ '--batch-size': '25', '--method': 'simclr' }).stage1.batchSize, 25, 'SimCLR samples without labels');
  assert.throws(() => withFlags({ '--method': 'simclr', '--views': 'simaugment' }), /stage1\.views \(--views\) is \["simaugment"\]: must list at least two views for SimCLR/);
  assert.throws(() => withFlags({ '--stages': 'stage2' }), /encoderWeights \(--encoder-weights\) is "": must name stage1\.safetensors/);
});

test('every problem is reported at once, one per line', () => {
  assert.throws(() => withFlags({ '--epochs': '0', '--width': '0', '--temperature': '-1' }), (err: Error) => {
    assert.match(err.message, /^invalid configuration:\n/);
    assert.ok(err.message.includes('--epochs') && err.message.includes('--width') && err.message.includes('--temperature'), err.message);
    return true;
  });
});

test('validateTrainConfig accepts the defaults as they are', () => {
  assert.deepEqual(validateTrainConfig(defaultTrainConfig()), defaultTrainConfig());
});

test('--chunk-size must divide the rows of the trained stage\'s step (or cover it); the queue refuses max-margin', () => {
  assert.throws(() => withFlags({ '--batch-size': '128', '--chunk-size': '96' }), /stage1\.chunkSize \(--chunk-size\) is 96: must divide the 256 rows of a step \(128 images x 2 views\) or be at least that: 64 or 128 would/);
  assert.throws(() => withFlags({ '--method': 'ce', '--batch-size': '100', '--chunk-size': '30' }), /baseline\.chunkSize \(--chunk-size\) is 30: must divide the 100 rows of a step \(100 images\) or be at least that: 25 or 50 would/);
  assert.equal(withFlags({ '--batch-size': '100', '--chunk-size': '40' }).stage1.chunkSize, 40, 'stage 1 has 200 rows; the baseline, not trained, is not checked');
  assert.equal(withFlags({ '--batch-size': '64', '--chunk-size': '512' }).stage1.chunkSize, 512, 'a chunk that covers the step: one graph');
  assert.throws(() => withFlags({ '--chunk-size': '-1' }), /stage1\.chunkSize \(--chunk-size\) is -1: must be an integer >= 0/);
  assert.throws(() => withFlags({ '--method': 'max-margin', '--queue-size': '64' }), /stage1\.queueSize \(--queue-size\) is 64: must be 0 with the max-margin loss/);
  assert.throws(() => withFlags({ '--queue-momentum': '1' }), /stage1\.queueMomentum \(--queue-momentum\) is 1: must be a number in \[0, 1\)/);
});

test('a config stored before chunks and queues existed validates with their defaults', () => {
  const stored = defaultTrainConfig();
  const { chunkSize: _c1, queueSize: _q, queueMomentum: _m, ...stage1 } = stored.stage1;
  const { chunkSize: _c2, ...baseline } = stored.baseline;
  assert.deepEqual(validateTrainConfig({ ...stored, stage1, baseline }), stored);
});
