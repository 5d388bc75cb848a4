import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/data/rng.ts';
import { epochOrder } from '../../src/data/sampler.ts';

/** Unbalanced labels: 7 classes with 1..40 samples each, shuffled. */
function makeLabels(): number[] {
  const sizes = [40, 33, 17, 9, 5, 2, 1];
  const labels = sizes.flatMap((n, c) => new Array<number>(n).fill(c));
  return new Rng(4).shuffle(labels);
}

test('plain shuffle: a permutation, deterministic per (seed, epoch), batches of batchSize', () => {
  const labels = makeLabels();
  const n = labels.length; // 107
  const order = epochOrder(n, labels, { seed: 1, epoch: 0, batchSize: 16, dropLast: false });
  assert.equal(order.length, 7);
  assert.deepEqual(order.map((b) => b.length), [16, 16, 16, 16, 16, 16, 11]);
  assert.deepEqual(order.flatMap((b) => [...b]).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i));
  assert.deepEqual(epochOrder(n, labels, { seed: 1, epoch: 0, batchSize: 16, dropLast: false }), order);
  assert.notDeepEqual(epochOrder(n, labels, { seed: 1, epoch: 1, batchSize: 16, dropLast: false }), order);
  assert.notDeepEqual(epochOrder(n, labels, { seed: 2, epoch: 0, batchSize: 16, dropLast: false }), order);
  assert.equal(epochOrder(n, labels, { seed: 1, epoch: 0, batchSize: 16, dropLast: true }).length, 6);
});

test('shuffle: false gives dataset order (evaluation)', () => {
  const order = epochOrder(5, [0, 1, 0, 1, 0], { seed: 1, epoch: 3, batchSize: 2, dropLast: false, shuffle: false });
  assert.deepEqual(order.map((b) => [...b]), [[0, 1], [2, 3], [4]]);
});

test('minPerClass 2: no class appears exactly once in any batch, over many epochs and batch sizes', () => {
  const labels = makeLabels();
  for (const batchSize of [4, 8, 16, 64]) {
    for (let epoch = 0; epoch < 20; epoch++) {
      for (const dropLast of [true, false]) {
        const order = epochOrder(labels.length, labels, { seed: 9, epoch, batchSize, dropLast, minPerClass: 2 });
        const seen = new Set<number>();
        order.forEach((batch, b) => {
          if (dropLast) assert.equal(batch.length, batchSize);
          const counts = new Map<number, number>();
          for (const i of batch) {
            assert.ok(!seen.has(i), 'no sample twice in an epoch');
            seen.add(i);
            counts.set(labels[i] ?? -1, (counts.get(labels[i] ?? -1) ?? 0) + 1);
          }
          for (const [c, k] of counts) assert.ok(k >= 2, `epoch ${epoch} batch ${b} (B=${batchSize}): class ${c} appears ${k} time(s)`);
        });
        // One image of each odd-sized class sits out (and the singleton class): 102 of 107 are used,
        // minus the incomplete tail batch with dropLast.
        assert.equal(seen.size, dropLast ? 102 - (102 % batchSize) : 102);
        assert.ok(![...seen].some((i) => labels[i] === 6), 'the singleton class is left out');
      }
    }
  }
});

test('minPerClass: which image of an odd class sits out changes between epochs; errors are clear', () => {
  const labels = [0, 0, 0, 1, 1, 1, 1, 1];
  const left = new Set<number>();
  for (let epoch = 0; epoch < 30; epoch++) {
    const used = new Set(epochOrder(8, labels, { seed: 1, epoch, batchSize: 2, dropLast: false, minPerClass: 2 }).flatMap((b) => [...b]));
    for (let i = 0; i < 8; i++) if (!used.has(i)) left.add(i);
  }
  assert.ok(left.size >= 5, `left out over 30 epochs: ${[...left]}`);
  assert.throws(() => epochOrder(8, labels, { seed: 1, epoch: 0, batchSize: 5, dropLast: false, minPerClass: 2 }), /multiple of minPerClass/);
  assert.throws(() => epochOrder(8, labels.slice(1), { seed: 1, epoch: 0, batchSize: 2, dropLast: false }), /7 labels for 8 samples/);
});
