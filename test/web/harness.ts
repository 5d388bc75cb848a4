// Shared setup of the browser tests: the demo built into a temporary folder, served with a model from
// http://localhost (a secure context), and Debian's Chromium through playwright-core.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createCpuSession, runHost } from '../../src/runtime/session.ts';
import type { HttpService } from '../../src/serve/http_service.ts';
import { createStaticServer } from '../../src/serve/static_server.ts';
import { buildWebApp, PAGE_FILES } from '../../web/build.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SKIP_NO_CHROMIUM: string | false = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} not found: install Debian's chromium (apt-get install chromium) to run the browser tests`;
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export function launch(args: readonly string[] = CHROMIUM_ARGS): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...args] });
}

export class Demo {
  private readonly servers: HttpService[] = [];
  private constructor(private readonly dist: string) {}

  static async build(dir: string): Promise<Demo> {
    return new Demo(await buildWebApp(join(dir, 'dist')));
  }

  /** Serves the page with `modelDir`; returns its http://localhost URL. */
  async serve(modelDir: string): Promise<string> {
    const server = createStaticServer({ root: this.dist, pageFiles: PAGE_FILES, modelDir });
    this.servers.push(server);
    return `http://localhost:${(await server.listen(0)).port}/`;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.close(0)));
  }
}

/** Opens the page and waits until its model session is ready; fails on page errors. */
export async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitReady(page);
  assert.deepEqual(errors, []);
  return page;
}

export async function waitReady(page: Page): Promise<void> {
  await page.waitForFunction(() => typeof window.supcon !== 'undefined', undefined, { timeout: 20_000 });
  await page.evaluate(() => window.supcon.ready);
}

/** Probabilities from onnxruntime-node for pixels [n, 3, s, s]. */
export async function nodeProbabilities(model: Uint8Array, pixels: Float32Array, n: number, s: number): Promise<Float32Array> {
  const session = await createCpuSession(model, { threads: 1 });
  try {
    const out = await runHost(session, { image: { dtype: 'float32', dims: [n, 3, s, s], data: pixels } });
    return out['probabilities']!.data as Float32Array;
  } finally {
    await session.release();
  }
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}
