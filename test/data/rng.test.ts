import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../src/data/rng.ts';

const draw = (r: Rng, n = 8): number[] => Array.from({ length: n }, () => r.nextU32());

test('same seed, same stream; different seeds differ', () => {
  assert.deepEqual(draw(new Rng(42)), draw(new Rng(42)));
  assert.notDeepEqual(draw(new Rng(42)), draw(new Rng(43)));
  assert.notDeepEqual(draw(new Rng(0)), draw(new Rng(2 ** 32)), 'high bits of the seed matter');
});

test('next() is in [0, 1) with mean ~1/2; int(n) covers [0, n) uniformly', () => {
  const r = new Rng(7);
  let sum = 0;
  const counts = new Array<number>(10).fill(0);
  const N = 100_000;
  for (let i = 0; i < N; i++) {
    const v = r.next();
    assert.ok(v >= 0 && v < 1);
    sum += v;
    const k = r.int(10);
    counts[k] = (counts[k] ?? 0) + 1;
  }
  assert.ok(Math.abs(sum / N - 0.5) < 0.01);
  for (const c of counts) assert.ok(Math.abs(c / N - 0.1) < 0.01, `bucket ${c}`);
  assert.throws(() => r.int(0), RangeError);
});

test('uniform(a, b) and normal() have the right moments', () => {
  const r = new Rng(3);
  const N = 50_000;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < N; i++) {
    const u = r.uniform(-2, 6);
    assert.ok(u >= -2 && u < 6);
    const z = r.normal();
    s += z;
    s2 += z * z;
  }
  assert.ok(Math.abs(s / N) < 0.03, `mean ${s / N}`);
  assert.ok(Math.abs(s2 / N - 1) < 0.03, `var ${s2 / N}`);
});

test('state() / fromState() resume the stream exactly', () => {
  const r = new Rng(99);
  draw(r, 5);
  const saved = r.state();
  const expected = draw(r, 10);
  const resumed = Rng.fromState(saved);
  assert.deepEqual(draw(resumed, 10), expected);
  assert.deepEqual(JSON.parse(JSON.stringify(saved)), saved, 'state is JSON-safe');
  assert.equal(resumed.fork(1, 2).nextU32(), new Rng(99).fork(1, 2).nextU32(), 'forks survive the round trip');
  assert.throws(() => Rng.fromState([1, 2, 3]), RangeError);
});

test('fork depends on (seed, keys) only, not on draws so far, and streams are distinct', () => {
  const a = new Rng(5);
  const b = new Rng(5);
  draw(b, 100);
  assert.deepEqual(draw(a.fork(3, 17, 1)), draw(b.fork(3, 17, 1)));
  const seen = new Set<string>();
  for (let e = 0; e < 4; e++) for (let i = 0; i < 50; i++) for (let v = 0; v < 2; v++) seen.add(draw(a.fork(e, i, v), 2).join(','));
  assert.equal(seen.size, 400, 'no two (epoch, sample, view) streams coincide');
  assert.notDeepEqual(draw(a.fork(1, 2)), draw(a.fork(2, 1)), 'key order matters');
  assert.notDeepEqual(draw(a.fork(1)), draw(a.fork(1, 0)), 'key count matters');
  assert.notDeepEqual(draw(a.fork(1)), draw(new Rng(6).fork(1)), 'seed matters');
});

test('shuffle is a seeded permutation', () => {
  const xs = Array.from({ length: 20 }, (_, i) => i);
  const s1 = new Rng(1).shuffle([...xs]);
  assert.deepEqual([...s1].sort((p, q) => p - q), xs);
  assert.deepEqual(new Rng(1).shuffle([...xs]), s1);
  assert.notDeepEqual(s1, xs);
});
