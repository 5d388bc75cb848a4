// writeFileAtomic: a failed write leaves no temporary file behind.

import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TEMP_MARKER, writeFileAtomic } from '../../src/util/atomic_write.ts';

test('writes the content through a temporary file that does not outlive the write', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  writeFileAtomic(join(dir, 'a.json'), 'one');
  writeFileAtomic(join(dir, 'a.json'), new TextEncoder().encode('two'));
  assert.equal(readFileSync(join(dir, 'a.json'), 'utf8'), 'two');
  assert.deepEqual(readdirSync(dir), ['a.json']);
});

test('a write that fails removes its temporary file and leaves the old content', () => {
  const dir = mkdtempSync(join(tmpdir(), 'atomic-'));
  // The target is a non-empty folder: the rename fails after the temporary file was fully written.
  mkdirSync(join(dir, 'target', 'inside'), { recursive: true });
  assert.throws(() => writeFileAtomic(join(dir, 'target'), 'x'.repeat(60_000)));
  assert.deepEqual(readdirSync(dir), ['target'], `no *${TEMP_MARKER}* left behind`);
  writeFileSync(join(dir, 'kept.txt'), 'old');
  assert.throws(() => writeFileAtomic(join(dir, 'kept.txt', 'child'), 'new'));
  assert.equal(readFileSync(join(dir, 'kept.txt'), 'utf8'), 'old');
  assert.deepEqual(readdirSync(dir).sort(), ['kept.txt', 'target']);
});
