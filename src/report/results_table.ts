// The results table (e.g. SupCon vs cross-entropy) as Markdown for consoles and READMEs, and as HTML
// for the report. Columns are the union of the rows' keys in first-seen order.

import { escapeHtml } from './html_escape.ts';
import type { ResultRow } from './types.ts';

export function resultColumns(rows: ResultRow[]): string[] {
  const columns = new Set<string>();
  for (const row of rows) for (const key of Object.keys(row)) columns.add(key);
  return [...columns];
}

/** Integers as they are; fractions to 4 decimals; tiny values (learning rates) in exponent form. */
export function formatCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  if (Math.abs(value) < 1e-3) return value.toExponential(2);
  return value.toFixed(4);
}

/** A column is right-aligned when every value present in it is a number. */
function isNumeric(rows: ResultRow[], column: string): boolean {
  return rows.every((row) => row[column] === undefined || typeof row[column] === 'number');
}

/** GitHub-flavoured Markdown table; '|' in cells is escaped, newlines become spaces. */
export function writeResultsTable(rows: ResultRow[]): string {
  const columns = resultColumns(rows);
  if (columns.length === 0) return '';
  const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [
    line(columns.map(cell)),
    line(columns.map((c) => (isNumeric(rows, c) ? '---:' : '---'))),
    ...rows.map((row) => line(columns.map((c) => cell(formatCell(row[c]))))),
  ].join('\n');
}

export function resultsTableHtml(rows: ResultRow[]): string {
  const columns = resultColumns(rows);
  if (columns.length === 0) return '';
  const align = (c: string): string => (isNumeric(rows, c) ? ' class="num"' : '');
  const head = columns.map((c) => `<th${align(c)}>${escapeHtml(c)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${columns.map((c) => `<td${align(c)}>${escapeHtml(formatCell(row[c]))}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table class="results">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}
