import assert from 'node:assert/strict';
import { test } from 'node:test';
import { accuracyChart, lossChart, wantsLogScale } from '../../src/report/curves.ts';
import { stratifiedSample } from '../../src/report/subsample.ts';

function values(spec: unknown): Array<Record<string, unknown>> {
  const data = (spec as { data?: { values?: unknown } }).data;
  assert.ok(data && Array.isArray(data.values));
  return data.values as Array<Record<string, unknown>>;
}

test('log scale is chosen only for positive losses spanning two decades', () => {
  assert.equal(wantsLogScale([5, 0.04], 'auto'), true);
  assert.equal(wantsLogScale([5, 0.1], 'auto'), false);
  assert.equal(wantsLogScale([5, 0], 'auto'), false);
  assert.equal(wantsLogScale([5, 0], true), false);
  assert.equal(wantsLogScale([2, 1], true), true);
  assert.equal(wantsLogScale([5, 0.001], false), false);
});

test('lossChart draws one series per stage, bucket-averaging long runs', () => {
  const metrics = [
    ...Array.from({ length: 5000 }, (_, step) => ({ kind: 'step', stage: 'stage1', step, loss: 1 })),
    ...Array.from({ length: 10 }, (_, step) => ({ kind: 'step', stage: 'stage2', step, loss: 2 })),
    { kind: 'epoch', stage: 'stage1', epoch: 0, loss: 9 },
  ];
  const rows = values(lossChart(metrics, 'auto'));
  assert.equal(rows.filter((r) => r.stage === 'stage1').length, 1000);
  assert.equal(rows.filter((r) => r.stage === 'stage2').length, 10);
  assert.ok(rows.every((r) => r.loss !== 9), 'epoch records are not mixed into the step curve');
  // Without step records it falls back to per-epoch loss; without any loss there is no chart.
  assert.equal(values(lossChart([{ kind: 'epoch', stage: 's', epoch: 1, loss: 3 }], 'auto')).length, 1);
  assert.equal(lossChart([{ kind: 'step', step: 1 }], 'auto'), null);
});

test('accuracyChart makes one line per stage and metric', () => {
  const rows = values(
    accuracyChart([
      { kind: 'epoch', stage: 'stage1', epoch: 0, loss: 1, knn_accuracy: 0.5 },
      { kind: 'epoch', stage: 'stage2', epoch: 0, train_accuracy: 0.6, test_accuracy: 0.55 },
      { kind: 'step', stage: 'stage2', step: 3, train_accuracy: 0.9 },
    ]),
  );
  assert.deepEqual(
    rows.map((r) => `${String(r.stage)}/${String(r.metric)}=${String(r.accuracy)}`),
    ['stage1/kNN=0.5', 'stage2/train=0.6', 'stage2/test=0.55'],
  );
  assert.equal(accuracyChart([{ kind: 'epoch', epoch: 0, loss: 1 }]), null);
});

test('stratifiedSample keeps class proportions, is seeded and sorted', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 900 ? 0 : i < 990 ? 1 : 2));
  const idx = stratifiedSample(labels, 100, 3);
  assert.equal(idx.length, 100);
  assert.equal(new Set(idx).size, 100);
  assert.deepEqual(idx, [...idx].sort((a, b) => a - b));
  const counts = [0, 0, 0];
  for (const i of idx) counts[labels[i] ?? 0] = (counts[labels[i] ?? 0] ?? 0) + 1;
  assert.deepEqual(counts, [90, 9, 1]);
  assert.deepEqual(stratifiedSample(labels, 100, 3), idx);
  assert.notDeepEqual(stratifiedSample(labels, 100, 4), idx);
  assert.equal(stratifiedSample(labels, 5000).length, 1000);
});
