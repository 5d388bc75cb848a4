// The Train view in headless Chromium on WASM: a person's path through it (classes named, photos given
// through file and folder inputs, Train clicked), and what must come out of it: >= 0.9 held-out accuracy
// on 3 generated classes, a SupCon loss that falls, the same steps as in Node, a model.onnx that
// `predict` loads and that gives the page's probabilities, and messages for the mistakes a person makes.

import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { decodeFloatInitializers } from '../../src/onnx/decode.ts';
import { predict } from '../../src/serve/predict.ts';
import type { ExportResult } from '../../src/export/export_model.ts';
import type { TrainRecord } from '../../web/train_view.ts';
import { tempDir } from '../export/fixtures.ts';
import { Demo, SKIP_NO_CHROMIUM, launch, maxAbsDiff, openPage } from './harness.ts';
import { PHOTO_CLASSES, type PhotoFolders, exportRunModel, writePhotos } from './train_fixtures.ts';
import { fillClasses, firstAndLast, lastTraining, toleranceRatio, train, trainInNode } from './train_page.ts';

/** Where the Train view's screenshot goes (git-ignored), to look at after `npm test`. */
const SCREENSHOT = join('artifacts', 'web', 'train-view.png');

describe('Train view (headless Chromium, WASM)', { skip: SKIP_NO_CHROMIUM }, () => {
  let dir: string;
  let demo: Demo;
  let browser: Browser;
  let base: ExportResult;
  let photos: PhotoFolders;
  let url: string;

  before(async () => {
    dir = await tempDir('web-train');
    [base, photos, demo] = await Promise.all([exportRunModel(join(dir, 'base')), writePhotos(join(dir, 'photos'), { train: 8, heldOut: 4 }), Demo.build(dir)]);
    url = `${await demo.serve(join(dir, 'base'))}#train`;
    browser = await launch();
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
    await rm(dir, { recursive: true, force: true });
  });

  describe('SupCon fine-tuning, then the linear classifier', () => {
    let page: Page;
    let record: TrainRecord;

    before(async () => {
      page = await openPage(browser, url);
      await fillClasses(page, photos);
      await train(page, { backend: 'wasm', batch: 12, supconEpochs: 3, stage2Epochs: 30 });
      record = await lastTraining(page);
    });

    after(async () => page?.close());

    test('held-out accuracy >= 0.9, SupCon loss falls, multi-threaded WASM in the isolated page', (t) => {
      t.diagnostic(`held-out accuracy ${record.heldOutAccuracy.exported}; SupCon losses ${record.losses.supcon.map((l) => l.toFixed(3)).join(' ')}; steps/s ${JSON.stringify(record.stepsPerSecond)}, ${record.threads} threads`);
      assert.equal(record.backend, 'wasm');
      assert.equal(record.heldOut.length, 12);
      assert.ok(record.heldOutAccuracy.exported! >= 0.9, `held-out accuracy ${record.heldOutAccuracy.exported}`);
      assert.equal(record.heldOutAccuracy.exported, record.heldOutAccuracy.trainer, 'the exported model scores as the trainer measured');
      assert.equal(record.losses.supcon.length, 6); // 24 photos, batch 12, 3 epochs
      const [first, last] = firstAndLast(record.losses.supcon, 2);
      assert.ok(last < first, `SupCon loss ${first} -> ${last}`);
      assert.ok(record.threads >= Math.min(2, 4), `WASM threads ${record.threads}`);
    });

    test('the same job in Node (onnxruntime-web) takes the same steps', async (t) => {
      const node = await trainInNode(record, base);
      const ratio = { supcon: toleranceRatio(record.losses.supcon, node.losses.supcon), stage2: toleranceRatio(record.losses.stage2, node.losses.stage2) };
      const inPage = decodeFloatInitializers(new Uint8Array(await readFile(await download(page, '#download-model', dir))));
      const inNode = decodeFloatInitializers(node.classifier);
      let worst = 0;
      for (const [name, w] of inNode) worst = Math.max(worst, maxAbsDiff(inPage.get(name)!.data, w.data));
      t.diagnostic(`loss tolerance ratios ${JSON.stringify(ratio)}; max |weight diff| ${worst.toExponential(2)}`);
      assert.ok(ratio.supcon <= 1 && ratio.stage2 <= 1, JSON.stringify(ratio));
      assert.equal(inPage.size, inNode.size);
      assert.ok(worst < 1e-4, `weights differ by ${worst}`);
      assert.equal(node.heldOutAccuracy, record.heldOutAccuracy.trainer);
    });

    test('the downloaded model.onnx + model.json, loaded by predict in Node, give the page\'s probabilities', async (t) => {
      const out = join(dir, 'downloaded');
      await mkdir(out, { recursive: true });
      await download(page, '#download-model', out);
      await download(page, '#download-json', out);
      await download(page, '#download-embed', out);
      const files = PHOTO_CLASSES.flatMap((kind) => photos.heldOut[kind]);
      const report = await predict({ model: out, inputs: files, topK: PHOTO_CLASSES.length });
      assert.deepEqual(report.failures, []);
      let worst = 0;
      for (const [i, r] of report.results.entries()) {
        const shown = record.heldOut[i]!;
        assert.ok(r.file.endsWith(shown.name), `${r.file} vs ${shown.name}`);
        for (const p of r.predictions) worst = Math.max(worst, Math.abs(p.probability - shown.probabilities[PHOTO_CLASSES.indexOf(p.label as (typeof PHOTO_CLASSES)[number])]!));
      }
      t.diagnostic(`max |probability diff| page vs predict ${worst.toExponential(2)}`);
      assert.ok(worst < 1e-5, `page vs predict ${worst}`);
      assert.equal(report.modelName, 'base-run-tuned');
      const sidecar = JSON.parse(await readFile(join(out, 'model.json'), 'utf8')) as { classes: string[]; config: { trainedInBrowser: { backend: string } } };
      assert.deepEqual(sidecar.classes, [...PHOTO_CLASSES]);
      assert.equal(sidecar.config.trainedInBrowser.backend, 'wasm');
    });

    test('the Predict view uses the trained model; the Train view after training, as a screenshot', async () => {
      await page.click('#tab-predict');
      await page.setInputFiles('#file', photos.heldOut.disc[0]!);
      await page.locator('#results tbody tr[data-rank="1"] .label', { hasText: 'disc' }).waitFor();
      await page.click('#tab-train');
      await mkdir(join('artifacts', 'web'), { recursive: true });
      const png = await page.screenshot({ path: SCREENSHOT, fullPage: true });
      assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')]);
      assert.equal(await page.locator('#held-out-grid figure.right').count(), 12);
    });
  });

  test('a folder of class folders makes the classes; WebGPU without an adapter falls back to WASM and says so', async () => {
    const page = await openPage(browser, url);
    try {
      await page.locator('.class-card .remove').first().click();
      await page.locator('.class-card .remove').first().click();
      await page.setInputFiles('#class-folders', join(photos.root, 'train'));
      await page.locator('.class-card').nth(2).locator('.count', { hasText: '8 training' }).waitFor();
      assert.deepEqual(await page.locator('.class-name').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), ['checks', 'disc', 'stripes']);
      await train(page, { backend: 'webgpu', batch: 32, stage2Epochs: 10 });
      const messages = (await page.locator('#train-messages').textContent()) ?? '';
      assert.match(messages, /no WebGPU adapter was found: training on WASM/);
      assert.match(messages, /6 photos held out at random \(20% of each class that has none set aside\)/);
      const record = await lastTraining(page);
      assert.equal(record.backend, 'wasm');
      assert.equal(record.heldOut.length, 6);
      assert.equal(record.losses.supcon.length, 0);
    } finally {
      await page.close();
    }
  });

  test('photos that do not decode, classes with fewer than 2 photos and empty fields get a message in the page', async () => {
    const page = await openPage(browser, url);
    try {
      const junk = join(dir, 'notes.txt');
      await writeFile(junk, 'not a photo');
      const cards = page.locator('.class-card');
      await cards.nth(0).locator('.class-name').fill('stripes');
      await cards.nth(0).locator('.train-files input').setInputFiles([...photos.train.stripes.slice(0, 3), junk]);
      await page.locator('#train-messages .error', { hasText: '1 file is not an image this browser can decode, left out of "stripes": notes.txt' }).waitFor();
      await cards.nth(1).locator('.class-name').fill('disc');
      await cards.nth(1).locator('.train-files input').setInputFiles(photos.train.disc.slice(0, 1));
      await cards.nth(1).locator('.count', { hasText: '1 training' }).waitFor();
      await page.fill('#stage2-epochs', '');
      await page.click('#train');
      await page.locator('#train-messages .error', { hasText: 'Linear classifier: epochs must be a whole number from 1 to 10000, got nothing' }).waitFor();
      await page.fill('#stage2-epochs', '30');
      await page.click('#train');
      await page.locator('#train-messages .error', { hasText: 'every class needs at least 2 training images: "disc" has 1' }).waitFor();
      assert.match((await page.locator('#train-status').textContent()) ?? '', /Not started/);
      assert.equal(await page.locator('#train').isEnabled(), true);
    } finally {
      await page.close();
    }
  });

  test('Cancel stops a training at once; the page keeps its model and stays usable during training', async () => {
    const page = await openPage(browser, url);
    try {
      await fillClasses(page, photos);
      await page.selectOption('#train-backend', 'wasm');
      await page.setChecked('#supcon', true);
      await page.fill('#supcon-epochs', '500');
      await page.fill('#batch', '12');
      await page.click('#train');
      await page.locator('#train-status', { hasText: /SupCon fine-tuning: step \d+\/1000/ }).waitFor();
      // The worker trains; the page answers clicks meanwhile.
      await page.click('#tab-predict');
      assert.equal(await page.locator('#predict-view').isVisible(), true);
      await page.click('#tab-train');
      await page.click('#cancel');
      await page.locator('#train-status', { hasText: 'Cancelled. The page still uses base-run.' }).waitFor();
      assert.equal(await page.locator('#train').isEnabled(), true);
      assert.equal(await page.locator('#cancel').isEnabled(), false);
      assert.equal(await page.locator('#train-result').isVisible(), false);
      assert.equal(await page.evaluate(() => window.supcon.lastTraining()), undefined);
    } finally {
      await page.close();
    }
  });
});

/** Clicks a download link and saves the file into `dir` under its suggested name. */
async function download(page: Page, link: string, dir: string): Promise<string> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.click(link)]);
  const path = join(dir, file.suggestedFilename());
  await file.saveAs(path);
  return path;
}
