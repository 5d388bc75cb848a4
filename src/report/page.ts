// report.html: one self-contained page (inline CSS, charts as inline SVG), readable offline and
// attachable to an issue or e-mail as a single file.

import { escapeHtml } from './html_escape.ts';
import { resultsTableHtml } from './results_table.ts';
import type { ResultRow } from './types.ts';

export interface Figure {
  svg: string;
  /** PNG file name next to report.html, linked under the figure. */
  png: string;
}

export interface PageContent {
  title: string;
  config: unknown;
  results: ResultRow[];
  curves: Figure[];
  confusion: Figure[];
  embeddings: Figure[];
  generatedAt: Date;
}

const CSS = `
body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 0 auto;
  max-width: 1400px; padding: 24px; color: #222; background: #fafafa; }
h1 { margin: 0 0 4px; font-size: 26px; }
h2 { margin: 32px 0 12px; font-size: 19px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.meta { color: #777; margin: 0; font-size: 13px; }
.grid { display: flex; flex-wrap: wrap; gap: 16px; }
figure { margin: 0; background: white; border: 1px solid #e3e3e3; border-radius: 6px; padding: 8px; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; text-align: right; }
figcaption a { color: #36c; }
table.results { border-collapse: collapse; background: white; font-size: 14px; }
table.results th, table.results td { border: 1px solid #ddd; padding: 6px 12px; text-align: left; }
table.results th { background: #f0f0f0; }
table.results .num { text-align: right; font-variant-numeric: tabular-nums; }
pre.config { background: white; border: 1px solid #e3e3e3; border-radius: 6px; padding: 12px;
  overflow: auto; font-size: 12px; max-height: 600px; }
.empty { color: #888; font-style: italic; }
`;

function figures(list: Figure[], empty: string): string {
  if (list.length === 0) return `<p class="empty">${escapeHtml(empty)}</p>`;
  const items = list.map(
    (f) => `<figure>${f.svg}<figcaption><a href="${encodeURI(f.png)}">${escapeHtml(f.png)}</a></figcaption></figure>`,
  );
  return `<div class="grid">\n${items.join('\n')}\n</div>`;
}

/** Pretty JSON; configs with cycles or BigInts still show something rather than failing the report. */
function configJson(config: unknown): string {
  try {
    return JSON.stringify(config, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2) ?? 'null';
  } catch (err) {
    return `/* not JSON-serialisable: ${err instanceof Error ? err.message : String(err)} */`;
  }
}

export function renderPage(c: PageContent): string {
  const results = c.results.length > 0 ? resultsTableHtml(c.results) : '<p class="empty">No results table for this run.</p>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(c.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(c.title)}</h1>
<p class="meta">Generated ${escapeHtml(c.generatedAt.toISOString())}</p>
</header>
<section id="results">
<h2>Results</h2>
${results}
</section>
<section id="curves">
<h2>Training curves</h2>
${figures(c.curves, 'No loss or accuracy records in the metrics log.')}
</section>
<section id="confusion">
<h2>Confusion matrix</h2>
${figures(c.confusion, 'No confusion matrix for this run.')}
</section>
<section id="embeddings">
<h2>Embeddings</h2>
${figures(c.embeddings, 'No embeddings for this run.')}
</section>
<section id="config">
<h2>Config</h2>
<pre class="config">${escapeHtml(configJson(c.config))}</pre>
</section>
</body>
</html>
`;
}
