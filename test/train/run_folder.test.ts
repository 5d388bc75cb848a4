// The run folder: stale temporaries of killed writers go, a live writer's stay; results.json is validated.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { TEMP_MARKER } from '../../src/util/atomic_write.ts';
import { RunFolder } from '../../src/train/run_folder.ts';

test('temporaries of writers that are gone are removed; a live writer\'s and other files stay', () => {
  const folder = new RunFolder(mkdtempSync(join(tmpdir(), 'run-folder-')));
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
  const stale = `checkpoint.safetensors${TEMP_MARKER}${dead}`;
  const live = `results.json${TEMP_MARKER}${process.pid}`;
  for (const f of [stale, live, 'metrics.jsonl', 'notes.tmp-x']) writeFileSync(join(folder.dir, f), 'x');
  assert.deepEqual(folder.removeStaleTemporaries(), [stale]);
  assert.deepEqual(readdirSync(folder.dir).sort(), ['metrics.jsonl', 'notes.tmp-x', live].sort());
});

test('results.json is read through one validated schema with errors naming the file', () => {
  const folder = new RunFolder(mkdtempSync(join(tmpdir(), 'run-folder-')));
  assert.throws(() => folder.readResults(), /is not a finished run: it has no results\.json/);
  writeFileSync(folder.path('results'), JSON.stringify({ name: 'old', test_accuracy: 0.5 }));
  assert.throws(() => folder.readResults(), /results\.json was written by an older version/);
  writeFileSync(folder.path('results'), JSON.stringify({ format: 'supcon-onnx-results/2', name: 'x' }));
  assert.throws(() => folder.readResults(), /results\.json is not a valid results file: method: /);
  writeFileSync(folder.path('results'), '{');
  assert.throws(() => folder.readResults(), /results\.json is not JSON/);
});
