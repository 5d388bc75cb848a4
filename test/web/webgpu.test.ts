// The demo's WebGPU path in headless Chromium (SwiftShader's software adapter on CI): picking WebGPU in
// the page gives the probabilities onnxruntime-node gives for the same pixels.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { exportSmallCnn, randomPixels, tempDir } from '../export/fixtures.ts';
import { CHROMIUM_ARGS, Demo, SKIP_NO_CHROMIUM, launch, maxAbsDiff, nodeProbabilities, openPage, waitReady } from './harness.ts';

describe('browser demo (headless Chromium, WebGPU)', { skip: SKIP_NO_CHROMIUM }, () => {
  let dir: string;
  let demo: Demo;
  let browser: Browser;

  before(async () => {
    dir = await tempDir('webgpu');
    demo = await Demo.build(dir);
    // Without --disable-gpu: WebGPU needs the GPU process (a software adapter where there is no GPU).
    browser = await launch([...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu']);
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('WebGPU picked in the page gives the same probabilities as onnxruntime-node', async (t) => {
    const cnn = await exportSmallCnn(join(dir, 'cnn'), { check: false });
    const page = await openPage(browser, await demo.serve(join(dir, 'cnn')));
    const hasAdapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu !== undefined && (await gpu.requestAdapter()) !== null;
    });
    if (!hasAdapter) return void t.skip('no WebGPU adapter in this Chromium');
    // The user's path: pick WebGPU in the select; the page reloads itself with ?backend=webgpu.
    await page.selectOption('#backend', 'webgpu');
    await page.waitForURL(/backend=webgpu/);
    await waitReady(page);
    await page.locator('#status', { hasText: 'Ready on webgpu' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => window.supcon.backend()), 'webgpu');
    const n = 2;
    const pixels = randomPixels(n, 3, 16, 43);
    const inPage = await page.evaluate(([p, k]) => window.supcon.classifyTensor(p, k), [Array.from(pixels), n] as const);
    const node = await nodeProbabilities(cnn.classifier, pixels, n, 16);
    t.diagnostic(`max |diff| node vs webgpu ${maxAbsDiff(node, inPage).toExponential(2)}`);
    assert.ok(maxAbsDiff(node, inPage) < 1e-4, `node vs webgpu ${maxAbsDiff(node, inPage)}`);
    await page.close();
  });
});
