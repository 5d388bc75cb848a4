// The Train view on WebGPU in headless Chromium (SwiftShader's software adapter where there is no GPU;
// slow, so few steps): held-out accuracy >= 0.9 on 3 generated classes, a SupCon loss that falls, and
// the same steps as the same job in Node on onnxruntime-web's WASM backend, within float32 tolerance.

import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { ExportResult } from '../../src/export/export_model.ts';
import { decodeFloatInitializers } from '../../src/onnx/decode.ts';
import type { TrainRecord } from '../../web/train_view.ts';
import { tempDir } from '../export/fixtures.ts';
import { CHROMIUM_ARGS, Demo, SKIP_NO_CHROMIUM, launch, maxAbsDiff, openPage } from './harness.ts';
import { exportRunModel, writePhotos } from './train_fixtures.ts';
import { fillClasses, firstAndLast, lastTraining, toleranceRatio, train, trainInNode } from './train_page.ts';

describe('Train view (headless Chromium, WebGPU)', { skip: SKIP_NO_CHROMIUM }, () => {
  let dir: string;
  let demo: Demo;
  let browser: Browser;
  let base: ExportResult;
  let page: Page;
  let record: TrainRecord | undefined;

  before(async () => {
    dir = await tempDir('web-train-gpu');
    let photos;
    [base, photos, demo] = await Promise.all([exportRunModel(join(dir, 'base')), writePhotos(join(dir, 'photos'), { train: 8, heldOut: 4 }), Demo.build(dir)]);
    // Without --disable-gpu: WebGPU needs the GPU process (a software adapter where there is no GPU).
    browser = await launch([...CHROMIUM_ARGS.filter((a) => a !== '--disable-gpu'), '--enable-unsafe-webgpu']);
    page = await openPage(browser, `${await demo.serve(join(dir, 'base'))}#train`);
    const hasAdapter = await page.evaluate(async () => {
      const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu !== undefined && (await gpu.requestAdapter()) !== null;
    });
    if (!hasAdapter) return;
    await fillClasses(page, photos);
    await train(page, { backend: 'webgpu', batch: 12, supconEpochs: 2, stage2Epochs: 20 }, 180_000);
    record = await lastTraining(page);
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('on WebGPU: held-out accuracy >= 0.9 and the SupCon loss falls', (t) => {
    if (!record) return void t.skip('no WebGPU adapter in this Chromium');
    t.diagnostic(`held-out accuracy ${record.heldOutAccuracy.exported}; SupCon losses ${record.losses.supcon.map((l) => l.toFixed(3)).join(' ')}; steps/s ${JSON.stringify(record.stepsPerSecond)}`);
    assert.equal(record.backend, 'webgpu');
    assert.ok(record.heldOutAccuracy.exported! >= 0.9, `held-out accuracy ${record.heldOutAccuracy.exported}`);
    assert.equal(record.losses.supcon.length, 4);
    const [first, last] = firstAndLast(record.losses.supcon, 2);
    assert.ok(last < first, `SupCon loss ${first} -> ${last}`);
  });

  test('the page\'s WebGPU steps equal the same steps in Node on onnxruntime-web (WASM)', async (t) => {
    if (!record) return void t.skip('no WebGPU adapter in this Chromium');
    const node = await trainInNode(record, base);
    const ratio = { supcon: toleranceRatio(record.losses.supcon, node.losses.supcon), stage2: toleranceRatio(record.losses.stage2, node.losses.stage2) };
    const [file] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
    const inPage = decodeFloatInitializers(new Uint8Array(await streamBytes(await file.createReadStream())));
    let worst = 0;
    for (const [name, w] of decodeFloatInitializers(node.classifier)) worst = Math.max(worst, maxAbsDiff(inPage.get(name)!.data, w.data));
    t.diagnostic(`loss tolerance ratios (<= 1: |diff| <= 1e-5 + 1e-4 |loss|) ${JSON.stringify(ratio)}; max |weight diff| ${worst.toExponential(2)}`);
    assert.ok(ratio.supcon <= 1 && ratio.stage2 <= 1, JSON.stringify(ratio));
    assert.ok(worst < 1e-4, `weights differ by ${worst}`);
  });
});

async function streamBytes(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}
