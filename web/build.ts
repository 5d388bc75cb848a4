// Builds the browser demo into `outDir`: web/main.ts and the training worker web/train_worker.ts bundled
// by esbuild (each with onnxruntime-web), the page and its CSS, and ORT web's WASM runtime (the JSEP
// build: WASM and WebGPU backends) under ort/.

import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB_DIR = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_DIST = join(WEB_DIR, 'dist');

/** The runtime files `import * as ort from 'onnxruntime-web'` loads at run time. */
export const ORT_RUNTIME_FILES = ['ort-wasm-simd-threaded.jsep.wasm', 'ort-wasm-simd-threaded.jsep.mjs'];

const ENTRIES = ['main', 'train_worker'];

/** Every file the build writes, relative to `outDir`: what the demo server may serve from it. */
export const PAGE_FILES = ['index.html', 'style.css', ...ENTRIES.flatMap((e) => [`${e}.js`, `${e}.js.map`]), ...ORT_RUNTIME_FILES.map((f) => `ort/${f}`)];

export async function buildWebApp(outDir: string = DEFAULT_DIST, options: { minify?: boolean } = {}): Promise<string> {
  await mkdir(join(outDir, 'ort'), { recursive: true });
  await build({
    entryPoints: ENTRIES.map((e) => join(WEB_DIR, `${e}.ts`)),
    outdir: outDir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: options.minify ?? true,
    sourcemap: true,
    logLevel: 'warning',
  });
  await copyFile(join(WEB_DIR, 'index.html'), join(outDir, 'index.html'));
  await copyFile(join(WEB_DIR, 'style.css'), join(outDir, 'style.css'));
  const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.jsep.wasm'));
  for (const f of ORT_RUNTIME_FILES) await copyFile(join(ortDist, f), join(outDir, 'ort', f));
  return outDir;
}
