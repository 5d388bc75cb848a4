// Driving the Train view as a person does (class cards, file and folder inputs, options, the Train
// button), and the same job run again in Node through onnxruntime-web for the parity checks.

import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { TrainRecord } from '../../web/train_view.ts';
import { fineTune } from '../../web/train/fine_tune.ts';
import type { BackendChoice, TrainJob, TrainResult } from '../../web/train/job.ts';
import type { ExportResult } from '../../src/export/export_model.ts';
import { PHOTO_CLASSES, type PhotoFolders } from './train_fixtures.ts';

/** Three class cards named after the photo classes, each given its training and held-out photos. */
export async function fillClasses(page: Page, photos: PhotoFolders): Promise<void> {
  const cards = page.locator('.class-card');
  while ((await cards.count()) < PHOTO_CLASSES.length) await page.click('#add-class');
  for (const [i, kind] of PHOTO_CLASSES.entries()) {
    const card = cards.nth(i);
    await card.locator('.class-name').fill(kind);
    await card.locator('.train-files input').setInputFiles(photos.train[kind]);
    await card.locator('.held-out-files input').setInputFiles(photos.heldOut[kind]);
    await card.locator('.count', { hasText: `${photos.train[kind].length} training · ${photos.heldOut[kind].length} held out` }).waitFor();
  }
}

export interface PageTraining {
  backend: BackendChoice;
  batch: number;
  stage2Epochs: number;
  supconEpochs?: number;
}

/** Sets the options, clicks Train and waits for the result (or an error in the status line). */
export async function train(page: Page, o: PageTraining, timeout = 120_000): Promise<void> {
  await page.selectOption('#train-backend', o.backend);
  await page.fill('#batch', String(o.batch));
  await page.fill('#stage2-epochs', String(o.stage2Epochs));
  await page.setChecked('#supcon', o.supconEpochs !== undefined);
  if (o.supconEpochs !== undefined) await page.fill('#supcon-epochs', String(o.supconEpochs));
  await page.click('#train');
  await page.waitForFunction(() => {
    const status = document.getElementById('train-status');
    return status !== null && (status.classList.contains('error') || (status.textContent ?? '').startsWith('Trained in'));
  }, undefined, { timeout });
  if (await page.locator('#train-status.error').count()) assert.fail(`training failed: ${await page.locator('#train-messages').textContent()}`);
}

export async function lastTraining(page: Page): Promise<TrainRecord> {
  const record = await page.evaluate(() => window.supcon.lastTraining());
  assert.ok(record, 'the page recorded no training');
  return record;
}

/** The page's job again, in Node, on onnxruntime-web's WASM backend. */
export function trainInNode(record: TrainRecord, base: ExportResult): Promise<TrainResult> {
  const job: TrainJob = {
    ...record.job,
    base: { model: base.classifier, metadata: base.metadata },
    train: { pixels: Uint8Array.from(record.job.train.pixels), labels: Int32Array.from(record.job.train.labels) },
    heldOut: { pixels: Uint8Array.from(record.job.heldOut.pixels), labels: Int32Array.from(record.job.heldOut.labels) },
    backend: 'wasm',
  };
  return fineTune(job);
}

/** Largest |a - b| relative to 1e-5 + 1e-4 |b| (<= 1: within float32 tolerance after many steps). */
export function toleranceRatio(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((worst, x, i) => Math.max(worst, Math.abs(x - b[i]!) / (1e-5 + 1e-4 * Math.abs(b[i]!))), 0);
}

/** Mean of the first and of the last `k` losses. */
export function firstAndLast(losses: readonly number[], k: number): [number, number] {
  const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  return [mean(losses.slice(0, k)), mean(losses.slice(-k))];
}
