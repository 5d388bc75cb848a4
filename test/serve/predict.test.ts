import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatTable, predict } from '../../src/serve/predict.ts';
import { ModelRunner } from '../../src/serve/model_runner.ts';
import { exportColourModel, exportSmallCnn, tempDir } from '../export/fixtures.ts';
import { noiseImage, solidImage } from './images.ts';

const run = promisify(execFile);

test('predict: files and folders, top-k, bad files reported without stopping', async () => {
  const dir = await tempDir('predict');
  try {
    await exportColourModel(join(dir, 'model'));
    const imgs = join(dir, 'imgs');
    await mkdir(join(imgs, 'nested'), { recursive: true });
    await writeFile(join(imgs, 'red.png'), await solidImage([220, 20, 30], 40, 24));
    await writeFile(join(imgs, 'nested', 'blue.jpg'), await solidImage([10, 30, 230], 17, 33, 'jpeg'));
    await writeFile(join(imgs, 'nested', 'green.webp'), await solidImage([20, 240, 20], 8, 8, 'webp'));
    await writeFile(join(imgs, 'broken.png'), 'this is not a png');
    await writeFile(join(imgs, 'notes.txt'), 'ignored: not an image extension');

    const report = await predict({ model: join(dir, 'model'), inputs: [imgs, join(dir, 'missing.png')], topK: 2, batchSize: 2 });
    const top1 = Object.fromEntries(report.results.map((r) => [r.file.slice(imgs.length + 1), r.predictions[0]?.label]));
    assert.deepEqual(top1, { 'red.png': 'red', 'nested/blue.jpg': 'blue', 'nested/green.webp': 'green' });
    for (const r of report.results) {
      assert.equal(r.predictions.length, 2);
      assert.ok(r.predictions[0]!.probability > 0.9 && r.predictions[0]!.probability >= r.predictions[1]!.probability);
    }
    assert.deepEqual(report.failures.map((f) => f.file).sort(), [join(dir, 'missing.png'), join(imgs, 'broken.png')].sort());
    assert.match(report.failures.find((f) => f.file.endsWith('broken.png'))!.error, /unsupported image format|Input buffer/i);
    const table = formatTable(report);
    assert.match(table, /red\.png\s+1\s+red\s+0\.9\d{3}/);
    assert.match(table, /error: .*missing\.png: no such file or folder/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('predict CLI prints JSON and sets the exit code; the runner agrees with the model', async () => {
  const dir = await tempDir('predict-cli');
  try {
    await exportSmallCnn(dir);
    const a = join(dir, 'a.png');
    await writeFile(a, await noiseImage(3, 16, 16));
    const { stdout } = await run(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/predict.ts', a, '--model', join(dir, 'model.onnx'), '--json', '-k', '3']);
    const report = JSON.parse(stdout) as { results: { file: string; predictions: { label: string; probability: number }[] }[]; failures: unknown[] };
    assert.equal(report.results.length, 1);
    assert.deepEqual(report.failures, []);
    const runner = await ModelRunner.load(dir);
    const probs = await runner.probabilities([await runner.preprocess(a)]);
    await runner.release();
    const best = [...probs].map((p, i) => ({ p, i })).sort((x, y) => y.p - x.p);
    assert.deepEqual(report.results[0]!.predictions.map((p) => p.probability), best.slice(0, 3).map((b) => b.p));
    await assert.rejects(run(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/predict.ts', a, '--model', join(dir, 'nope.onnx')]), (e: { code?: number; stderr?: string }) => {
      assert.equal(e.code, 2);
      assert.match(e.stderr ?? '', /^error: .*nope\.onnx/m);
      return true;
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

