// Vega-Lite spec -> SVG string, headless (no canvas, no browser).

import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Shared look: white background (PNG would otherwise be transparent), readable label sizes. */
export const CHART_CONFIG = {
  background: 'white',
  font: 'DejaVu Sans, Helvetica, Arial, sans-serif',
  padding: 12,
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e8e8e8' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 14, subtitleFontSize: 11, anchor: 'start' as const },
};

/**
 * Renders a spec to a standalone SVG document. `idPrefix` makes the clip-path ids unique: Vega numbers
 * them clip1, clip2, ... in every SVG, and several SVGs inlined in one HTML page share one id space,
 * so without a prefix the second chart would be clipped by the first chart's rectangle.
 */
export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<string> {
  const view = new vega.View(vega.parse(compile({ config: CHART_CONFIG, ...spec }).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return prefixIds(svg, idPrefix);
  } finally {
    view.finalize();
  }
}

function prefixIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}
