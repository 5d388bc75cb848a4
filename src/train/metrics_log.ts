// Append-only JSONL metrics log: one object per line, flushed as it is written, so that a killed run
// keeps everything up to its last step.

import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type MetricsRecord = Record<string, string | number | boolean | null>;

export class MetricsLog {
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
  }

  write(record: MetricsRecord): void {
    appendFileSync(this.path, `${JSON.stringify({ time: new Date().toISOString(), ...record })}\n`);
  }
}

/** Reads a metrics log back (for reports); lines that do not parse (a torn last line) are skipped. */
export function readMetrics(text: string): MetricsRecord[] {
  return text.split('\n').flatMap((line) => {
    if (!line.trim()) return [];
    try {
      return [JSON.parse(line) as MetricsRecord];
    } catch {
      return [];
    }
  });
}
