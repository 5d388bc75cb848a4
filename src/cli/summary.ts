// What a finished training run prints: accuracy, time, and where its files are.

import { relative } from 'node:path';
import type { PipelineResult } from '../train/pipeline.ts';

export function printRunSummary({ train, exported, report }: PipelineResult): void {
  const rel = (p: string): string => relative(process.cwd(), p) || '.';
  const r = train.results;
  const lines = [
    '',
    `run ${r.name} finished in ${(r.wallSeconds / 60).toFixed(1)} min`,
    r.testAccuracy !== null ? `test accuracy ${r.testAccuracy.toFixed(4)} (${r.data.classes.length} classes, ${r.data.size}x${r.data.size}x${r.data.channels})` : 'stage 1 only: no classifier trained',
    ...Object.values(r.stages).map((s) => `  ${s.stage}: ${s.epochs} epochs, ${s.steps} steps, final loss ${s.finalLoss.toFixed(4)}, ${s.imagesPerSecond.toFixed(0)} images/s`),
    `run folder  ${rel(train.runDir)}`,
    ...(exported ? [`model       ${rel(exported.paths.classifier)} (+ ${rel(exported.paths.embedding)}, ${rel(exported.paths.sidecar)})`] : []),
    `report      ${rel(report.html)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
