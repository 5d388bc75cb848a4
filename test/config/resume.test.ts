// What --resume accepts: runtime flags override, larger epochs extend, anything else is an error naming it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { flagPatches, resolveTrainConfig } from '../../src/config/resolve.ts';
import { type RunProgress, reconcileResume } from '../../src/config/resume.ts';

const stored = resolveTrainConfig(flagPatches(new Map([['--epochs', '5'], ['--threads', '1']])));
/** The stored config with `flags` over it, as `train --resume` builds its request. */
const request = (flags: Record<string, string>) => resolveTrainConfig(flagPatches(new Map(Object.entries(flags))), stored);
const inStage1: RunProgress = { stage: 'stage1', finished: [] };

test('--threads, --workers and --ep override the stored config', () => {
  const c = reconcileResume(stored, request({ '--threads': '2', '--workers': '0', '--ep': 'wasm' }), inStage1);
  assert.deepEqual([c.threads, c.workers, c.ep], [2, 0, 'wasm']);
});

test('naming the stored value of any flag is no change', () => {
  assert.deepEqual(reconcileResume(stored, request({ '--epochs': '5', '--lr': '0.1', '--optimizer': 'sgd' }), inStage1), stored);
});

test('a larger --epochs extends a stage that is not behind the run; smaller or passed is an error', () => {
  assert.equal(reconcileResume(stored, request({ '--epochs': '8' }), inStage1).stage1.epochs, 8);
  // Stage 1's last checkpoint (its summary stored) is still in stage 1: it can grow.
  assert.equal(reconcileResume(stored, request({ '--epochs': '8' }), { stage: 'stage1', finished: ['stage1'] }).stage1.epochs, 8);
  assert.throws(() => reconcileResume(stored, request({ '--epochs': '3' }), inStage1), /stage1\.epochs \(--epochs\) is 3, the stored run has 5: a resumed run can be extended, not shortened/);
  assert.throws(() => reconcileResume(stored, request({ '--epochs': '8' }), { stage: 'stage2', finished: ['stage1'] }), /stage1 has finished and the run has moved past it/);
  assert.equal(reconcileResume(stored, request({ '--linear-epochs': '30' }), { stage: 'stage2', finished: ['stage1'] }).stage2.epochs, 30);
});

test('any other difference is an error naming the field, its flag and both values', () => {
  assert.throws(() => reconcileResume(stored, request({ '--lr': '0.3', '--width': '8' }), inStage1), (err: Error) => {
    assert.match(err.message, /on --resume only --workers, --ep, --threads and a larger --epochs \/ --linear-epochs may change/);
    assert.match(err.message, /stage1\.lr \(--lr\) is 0\.3, the stored run has 0\.1/);
    assert.match(err.message, /model\.width \(--width\) is 8, the stored run has 32/);
    return true;
  });
  assert.throws(() => reconcileResume(stored, request({ '--optimizer': 'adam' }), inStage1), /model\.optimizer\.kind \(--optimizer\) is "adam", the stored run has "sgd"/);
});
