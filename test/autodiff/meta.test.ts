// The registry and its checks: every registered rule has a numerical check, and ops without a rule
// behave as designed (non-differentiable paths give no gradient, unknown ops fail loudly).

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import * as b from '../../src/onnx/index.ts';
import { GradError, NON_DIFFERENTIABLE, RULES, grad } from '../../src/autodiff/index.ts';
import { gradFunction } from './grad_values.ts';

test('every registered rule has test/autodiff/rules/<Op>.test.ts calling checkVjp or checkJacobian', () => {
  const missing = Object.keys(RULES).filter((op) => {
    const file = new URL(`./rules/${op}.test.ts`, import.meta.url);
    return !existsSync(file) || !/\bcheck(Vjp|Jacobian)\(/.test(readFileSync(file, 'utf8'));
  });
  assert.deepEqual(missing, [], `rules without a numerical check: ${missing.join(', ')}`);
});

test('every fused rule (src/autodiff/fused/<name>.ts) has test/autodiff/fused/<name>.test.ts with a numerical check', () => {
  const fused = readdirSync(new URL('../../src/autodiff/fused/', import.meta.url)).filter((f) => f.endsWith('.ts'));
  assert.ok(fused.length > 0);
  const missing = fused.filter((f) => {
    const file = new URL(`./fused/${f.replace(/\.ts$/, '.test.ts')}`, import.meta.url);
    return !existsSync(file) || !/\bcheck(Vjp|Jacobian)\(/.test(readFileSync(file, 'utf8'));
  });
  assert.deepEqual(missing, [], `fused rules without a numerical check: ${missing.join(', ')}`);
});

test('no op is both registered and listed as non-differentiable', () => {
  assert.deepEqual([...NON_DIFFERENTIABLE].filter((op) => Object.hasOwn(RULES, op)), []);
});

test('a path through ArgMax gives no gradient; the other paths still do', async () => {
  const run = await gradFunction([{ shape: [2, 3] }], (x) => b.add(b.reduceSum(x, []), b.reduceSum(b.cast(b.argMax(x, 1), 'float64'), [])));
  const { loss, grads } = await run([{ dims: [2, 3], data: [1, 5, 2, 7, 0, 3] }]);
  assert.deepEqual(loss, [18 + 1 + 0]);
  assert.deepEqual(grads, [[1, 1, 1, 1, 1, 1]]);
});

test('a loss that depends on x only through ArgMax and Floor has a zero gradient', async () => {
  const run = await gradFunction([{ shape: [2, 3] }], (x) => b.add(b.reduceSum(b.cast(b.argMax(x, 1), 'float64'), []), b.reduceSum(b.floor(x), [])));
  const { grads } = await run([{ dims: [2, 3], data: [1.5, 5, 2, 7, 0, 3] }]);
  assert.deepEqual(grads, [[0, 0, 0, 0, 0, 0]]);
});

test('an op with no rule throws `no gradient rule for <op> (<node>)`', () => {
  const g = new b.Graph();
  const x = g.input('x', 'float32', [3]);
  const y = b.identity(x);
  // Re-label the node as an op the registry does not know (no OpType has a missing rule to borrow).
  const node = y.producer;
  assert.ok(node);
  Reflect.set(node, 'op', 'NoSuchOp');
  assert.throws(() => grad(b.reduceSum(y, []), [x]), (err: unknown) => err instanceof GradError && /no gradient rule for NoSuchOp \(Identity_1\)/.test(err.message));
});
