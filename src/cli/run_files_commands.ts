// `export <run>` and `report <run>`: redo a finished run's inference model or report from its folder.

import { relative } from 'node:path';
import { Command } from 'commander';
import { exportRun, writeRunReport } from '../train/pipeline.ts';

const rel = (p: string): string => relative(process.cwd(), p) || '.';

export function exportCommand(): Command {
  return new Command('export')
    .description("export a finished run's encoder + classifier as model.onnx (and model.embed.onnx, model.json)")
    .argument('<run>', 'run folder (artifacts/runs/<name>)')
    .action(async (run: string) => {
      const r = await exportRun(run);
      process.stdout.write(`wrote ${rel(r.paths.classifier)}, ${rel(r.paths.embedding)}, ${rel(r.paths.sidecar)}\n`);
    });
}

export function reportCommand(): Command {
  return new Command('report')
    .description("write a finished run's HTML/PNG report (curves, confusion matrix, embedding maps)")
    .argument('<run>', 'run folder (artifacts/runs/<name>)')
    .action(async (run: string) => {
      const r = await writeRunReport(run);
      process.stdout.write(`wrote ${rel(r.html)} and ${r.pngs.length} PNG files\n`);
    });
}
