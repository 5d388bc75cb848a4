// `predict`: classify image files and folders with an exported model, printing top-k as a table or JSON.
// Files that do not decode are reported with their reason; they never stop the run.

import type { ExecutionProvider } from '../runtime/providers.ts';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DecodeError } from '../data/errors.ts';
import { isImagePath } from '../data/folder_scan.ts';
import { mapPool } from '../data/pool.ts';
import type { Prediction } from '../export/preprocess.ts';
import { ModelRunner } from './model_runner.ts';

export interface PredictOptions {
  /** model.onnx or the export folder. */
  model: string;
  /** Image files, or folders searched recursively for image files (by extension). */
  inputs: readonly string[];
  /** Classes shown per image (default 5, at most the number of classes). */
  topK?: number;
  /** Images per session run (default 32). */
  batchSize?: number;
  /** ORT intra-op threads (default: ORT's choice). */
  threads?: number;
  /** Execution provider (default cpu). */
  ep?: ExecutionProvider;
}

export interface PredictReport {
  model: string;
  modelName: string;
  results: { file: string; predictions: Prediction[] }[];
  failures: { file: string; error: string }[];
}

async function walk(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries
      .filter((e) => !e.name.startsWith('.'))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
      .map(async (e) => {
        const path = join(dir, e.name);
        if (e.isDirectory()) return walk(path);
        return e.isFile() && isImagePath(path) ? [path] : [];
      }),
  );
  return nested.flat();
}

/** Files to classify, in input order, and inputs that do not exist. */
export async function collectInputs(inputs: readonly string[]): Promise<{ files: string[]; missing: { file: string; error: string }[] }> {
  const files: string[] = [];
  const missing: { file: string; error: string }[] = [];
  for (const input of inputs) {
    try {
      const s = await stat(input);
      if (s.isDirectory()) files.push(...(await walk(input)));
      else files.push(input);
    } catch (err) {
      missing.push({ file: input, error: err instanceof Error && 'code' in err && err.code === 'ENOENT' ? 'no such file or folder' : String(err) });
    }
  }
  return { files, missing };
}

export async function predict(options: PredictOptions): Promise<PredictReport> {
  const runner = await ModelRunner.load(options.model, { embedding: false, ep: options.ep ?? 'cpu', ...(options.threads === undefined ? {} : { threads: options.threads }) });
  try {
    const { files, missing } = await collectInputs(options.inputs);
    const k = options.topK ?? 5;
    const batchSize = Math.max(1, options.batchSize ?? 32);
    const report: PredictReport = { model: options.model, modelName: runner.metadata.modelName, results: [], failures: [...missing] };
    for (let start = 0; start < files.length; start += batchSize) {
      const chunk = files.slice(start, start + batchSize);
      const decoded = await mapPool(chunk, 4, async (file) => {
        try {
          return await runner.preprocess(file);
        } catch (err) {
          report.failures.push({ file, error: err instanceof DecodeError ? err.reason : String(err) });
          return undefined;
        }
      });
      const ok = chunk.flatMap((file, i) => (decoded[i] ? [{ file, image: decoded[i] }] : []));
      const predictions = await runner.classify(ok.map((o) => o.image), k);
      ok.forEach((o, i) => report.results.push({ file: o.file, predictions: predictions[i] ?? [] }));
    }
    return report;
  } finally {
    await runner.release();
  }
}

/** Human-readable table: one row per (file, rank); failures listed after. */
export function formatTable(report: PredictReport): string {
  const rows: string[][] = [['file', 'rank', 'label', 'probability']];
  for (const r of report.results) {
    r.predictions.forEach((p, i) => rows.push([i === 0 ? r.file : '', String(i + 1), p.label, p.probability.toFixed(4)]));
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  const lines = rows.map((row) => row.map((cell, c) => (c === 3 ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join('  ').trimEnd());
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  for (const f of report.failures) lines.push(`error: ${f.file}: ${f.error}`);
  return lines.join('\n');
}
