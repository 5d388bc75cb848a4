// The exported model in headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core):
// the same pixel tensor gives the same probabilities in onnxruntime-node, onnxruntime-web (WASM) in
// Node and onnxruntime-web in the page; and the page classifies a file given to its file input.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { createWasmSession, runWasm } from '../../src/runtime/wasm_session.ts';
import { ModelRunner } from '../../src/serve/model_runner.ts';
import { exportColourModel, exportSmallCnn, randomPixels, tempDir } from '../export/fixtures.ts';
import { solidImage } from '../serve/images.ts';
import { Demo, SKIP_NO_CHROMIUM, launch, maxAbsDiff, nodeProbabilities, openPage } from './harness.ts';

describe('browser demo (headless Chromium, WASM)', { skip: SKIP_NO_CHROMIUM }, () => {
  let dir: string;
  let demo: Demo;
  let browser: Browser;
  let cnnUrl: string;
  let colourUrl: string;
  let cnnModel: Uint8Array;

  before(async () => {
    dir = await tempDir('web');
    const [cnn, , built] = await Promise.all([exportSmallCnn(join(dir, 'cnn')), exportColourModel(join(dir, 'colour')), Demo.build(dir)]);
    cnnModel = cnn.classifier;
    demo = built;
    cnnUrl = await demo.serve(join(dir, 'cnn'));
    colourUrl = await demo.serve(join(dir, 'colour'));
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('same pixels, same probabilities: onnxruntime-node, -web WASM in Node, -web in Chromium', async (t) => {
    const n = 4;
    const pixels = randomPixels(n, 3, 16, 42);
    const node = await nodeProbabilities(cnnModel, pixels, n, 16);
    const wasmSession = await createWasmSession(cnnModel);
    const wasm = (await runWasm(wasmSession, { image: { dtype: 'float32', dims: [n, 3, 16, 16], data: pixels } }))['probabilities']!.data as Float32Array;
    await wasmSession.release();
    const page = await openPage(browser, cnnUrl);
    const inPage = await page.evaluate(([p, k]) => window.supcon.classifyTensor(p, k), [Array.from(pixels), n] as const);
    await page.close();
    assert.equal(node.length, n * 5);
    t.diagnostic(`max |diff|: node vs wasm ${maxAbsDiff(node, wasm).toExponential(2)}, node vs chromium ${maxAbsDiff(node, inPage).toExponential(2)}`);
    assert.ok(maxAbsDiff(node, wasm) < 1e-4, `node vs wasm ${maxAbsDiff(node, wasm)}`);
    assert.ok(maxAbsDiff(node, inPage) < 1e-4, `node vs chromium ${maxAbsDiff(node, inPage)}`);
    assert.ok(maxAbsDiff(node.subarray(0, 5), node.subarray(5, 10)) > 1e-3, 'images give different answers');
  });

  test('the page classifies a chosen file: top-1 shown, probability as in Node', async () => {
    const red = join(dir, 'red.png');
    const blue = join(dir, 'blue.jpg');
    const junk = join(dir, 'junk.png');
    await writeFile(red, await solidImage([235, 30, 25], 48, 32));
    await writeFile(blue, await solidImage([20, 25, 230], 24, 40, 'jpeg'));
    await writeFile(junk, 'not an image');
    const runner = await ModelRunner.load(join(dir, 'colour'), { embedding: false });
    const page = await openPage(browser, colourUrl);
    try {
      for (const [file, label] of [[red, 'red'], [blue, 'blue']] as const) {
        await page.setInputFiles('#file', file);
        const top = page.locator('#results tbody tr[data-rank="1"]');
        await top.locator('.label', { hasText: label }).waitFor({ timeout: 10_000 });
        const shown = Number(await top.locator('.probability').textContent());
        const nodeTop = (await runner.classify([await runner.preprocess(file)], 1))[0]![0]!;
        assert.equal(nodeTop.label, label);
        // Solid colours resize identically in sharp and the canvas, so only display rounding differs.
        assert.ok(Math.abs(shown - nodeTop.probability) < 1e-3, `page ${shown} vs node ${nodeTop.probability}`);
        assert.match((await page.locator('#status').textContent()) ?? '', new RegExp(`Top-1: ${label}`));
      }
      await page.setInputFiles('#file', junk);
      await page.locator('#status.error').waitFor({ timeout: 10_000 });
      assert.match((await page.locator('#status').textContent()) ?? '', /not an image/);
    } finally {
      await page.close();
      await runner.release();
    }
  });
});
