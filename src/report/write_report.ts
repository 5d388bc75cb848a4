// writeReport: every chart as a PNG file and inline SVG in one self-contained report.html.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { svgToPng } from '../data/encode.ts';
import { accuracyChart, lossChart } from './curves.ts';
import { confusionChart, embeddingChart } from './maps.ts';
import { renderPage, type Figure } from './page.ts';
import { renderSvg } from './render.ts';
import type { ReportInput, ReportOptions } from './types.ts';

export interface ReportFiles {
  /** Path of report.html. */
  html: string;
  /** Paths of the PNG files, in page order. */
  pngs: string[];
}

/** File-name-safe and unique within the report ('encoder' -> embedding_encoder). */
function embeddingFile(name: string, taken: Set<string>): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9_-]+/g, '_').replace(/^_+|_+$/g, '') || 'set';
  let file = `embedding_${slug}`;
  for (let i = 2; taken.has(file); i++) file = `embedding_${slug}_${i}`;
  taken.add(file);
  return file;
}

export async function writeReport(outDir: string, input: ReportInput, options: ReportOptions = {}): Promise<ReportFiles> {
  await mkdir(outDir, { recursive: true });
  const density = options.density ?? 144;
  const pngs: string[] = [];

  // Sequential on purpose: rendering and rasterising are CPU-bound and the machine is shared.
  const draw = async (file: string, spec: TopLevelSpec): Promise<Figure> => {
    const svg = await renderSvg(spec, file);
    const png = `${file}.png`;
    await writeFile(join(outDir, png), await svgToPng(svg, density));
    pngs.push(join(outDir, png));
    return { svg, png };
  };

  const curves: Figure[] = [];
  const loss = lossChart(input.metrics, options.logScale ?? 'auto');
  if (loss) curves.push(await draw('loss', loss));
  const accuracy = accuracyChart(input.metrics);
  if (accuracy) curves.push(await draw('accuracy', accuracy));

  const confusion = input.confusion ? [await draw('confusion', confusionChart(input.confusion))] : [];

  const embeddings: Figure[] = [];
  const taken = new Set<string>();
  const mapOptions = { method: options.method ?? 'pca', maxPoints: options.maxPoints ?? 2000, seed: options.seed ?? 0 } as const;
  for (const set of input.embeddings ?? []) {
    if (set.labels.length < 2) continue; // nothing to project
    embeddings.push(await draw(embeddingFile(set.name, taken), embeddingChart(set, mapOptions)));
  }

  const html = join(outDir, 'report.html');
  const page = renderPage({
    title: input.title,
    config: input.config,
    results: input.results ?? [],
    curves,
    confusion,
    embeddings,
    generatedAt: new Date(),
  });
  await writeFile(html, page, 'utf8');
  return { html, pngs };
}
