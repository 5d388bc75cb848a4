import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { writeReport } from '../../src/report/index.ts';
import { CLASSES, syntheticInput } from './fixtures.ts';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const dirs: string[] = [];
after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'supcon-report-'));
  dirs.push(dir);
  return dir;
}

test('writeReport writes readable PNGs and a self-contained report.html', async () => {
  const dir = await tempDir();
  const { html, pngs } = await writeReport(join(dir, 'run'), syntheticInput(), { density: 72 });

  assert.equal(basename(html), 'report.html');
  assert.deepEqual(pngs.map((p) => basename(p)), [
    'loss.png',
    'accuracy.png',
    'confusion.png',
    'embedding_encoder.png',
    'embedding_projection.png',
  ]);
  for (const png of pngs) {
    const bytes = await readFile(png);
    assert.deepEqual([...bytes.subarray(0, 8)], PNG_SIGNATURE, `${png} has a PNG signature`);
    const meta = await sharp(bytes).metadata();
    assert.equal(meta.format, 'png');
    assert.ok((meta.width ?? 0) > 200 && (meta.height ?? 0) > 200, `${png} is ${meta.width}x${meta.height}`);
    // Not a blank canvas: a chart has dark ink (text, axes) on its white background.
    const stats = await sharp(bytes).stats();
    assert.ok((stats.channels[0]?.min ?? 255) < 100, `${png} has dark pixels`);
  }

  const page = await readFile(html, 'utf8');
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /<title>SupCon on synthetic data<\/title>/);
  for (const name of CLASSES) assert.ok(page.includes(name), `class ${name} appears`);
  assert.match(page, /<table class="results">/);
  assert.match(page, /<th>method<\/th>/);
  assert.match(page, /<td>SupCon<\/td>/);
  assert.match(page, /<td>cross-entropy<\/td>/);
  assert.match(page, /0\.8123/);
  assert.match(page, /&quot;temperature&quot;: 0\.1/); // the config, pretty-printed and escaped
  assert.equal(page.match(/<svg[\s>]/g)?.length, 5, 'every chart is inline SVG');
  assert.ok(!/<img|<script|<link/.test(page), 'nothing external to load');
  assert.match(page, /log scale/); // the stage-1 loss spans over two decades
  // Inline SVGs share one id space: clip-path ids must not collide or charts clip each other.
  const ids = [...page.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.length > 0);
  assert.equal(new Set(ids).size, ids.length, 'element ids are unique across the page');
  for (const [, ref] of page.matchAll(/url\(#([^)]+)\)/g)) assert.ok(ids.includes(ref), `url(#${ref}) resolves`);
});

test('writeReport subsamples embeddings and maps them with t-SNE when asked', async () => {
  const dir = await tempDir();
  const input = syntheticInput();
  delete input.confusion;
  delete input.results;
  const { html, pngs } = await writeReport(dir, input, { method: 'tsne', maxPoints: 100, density: 72 });
  assert.equal(pngs.length, 4);
  const page = await readFile(html, 'utf8');
  assert.match(page, /t-SNE of 100 of 300 points \(dim 32\)/);
  assert.match(page, /No confusion matrix for this run\./);
  assert.match(page, /No results table for this run\./);
});

test('writeReport copes with an empty run', async () => {
  const dir = await tempDir();
  const { html, pngs } = await writeReport(dir, { title: 'empty <run>', config: null, metrics: [] });
  assert.deepEqual(pngs, []);
  const page = await readFile(html, 'utf8');
  assert.match(page, /<h1>empty &lt;run&gt;<\/h1>/);
  assert.match(page, /No loss or accuracy records/);
});
