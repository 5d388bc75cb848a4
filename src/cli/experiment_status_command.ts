// `experiment status <spec.json> --queue <url> [--watch]`: one row per cell of the experiment (state word,
// attempts, current epoch, test accuracy) and, once every cell is done or failed, the results table of
// the local `experiment`, also written as results.md and rows.json into <runs>/<experiment name>/. The
// cells are found by their ids, which derive from the spec and the flags: give the flags that were given
// to `experiment --queue`.

import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { shownUrl } from '../queue/connection.ts';
import { type CellStatus, cellStatuses, openQueue, settled, statusRows, withQueue } from '../queue/grid_queue.ts';
import { writeResultsTable } from '../report/index.ts';
import { writeGridResults } from '../train/compare.ts';
import { positiveInt } from '../util/cli_args.ts';
import { minutes } from './compare_command.ts';
import { addConfigOptions } from './config_options.ts';
import { specCells, specPoints } from './experiment_spec.ts';

interface StatusFlags {
  queue: string;
  watch?: boolean;
  interval: number;
  runs: string;
  minutes?: number;
}

/** What the table says, without what moves every step: a piped --watch prints again only when this changes. */
const gist = (statuses: readonly CellStatus[]): string => JSON.stringify(statuses.map((s) => [s.state, s.attempts, s.progress?.stage, s.progress?.epoch]));

/** The status table, and the results of the done cells once none will change; returns whether all are done. */
function report(name: string, statuses: readonly CellStatus[], runs: string): boolean {
  const out = [writeResultsTable(statusRows(statuses))];
  const missing = statuses.filter((s) => s.state === 'not queued').length;
  if (missing > 0) out.push(`${missing} cell(s) not queued: enqueue them with experiment --queue (status finds cells by the spec and the flags given)`);
  if (settled(statuses)) {
    const rows = statuses.flatMap((s) => (s.row ? [s.row] : []));
    const failed = statuses.filter((s) => s.state === 'failed').length;
    if (rows.length > 0) {
      const dir = join(runs, name);
      out.push('', writeGridResults(dir, rows), '', `results.md in ${dir}${failed ? ` (${failed} failed cell(s) left out)` : ''}; each run's folder and report in the run store`);
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
  return statuses.every((s) => s.state === 'done');
}

export function experimentStatusCommand(): Command {
  const cmd: Command = addConfigOptions(new Command('status').description('where the cells of an enqueued experiment stand; its results table once all are done'))
    .argument('<spec>', 'experiment spec (JSON), with the flags given to experiment --queue')
    .requiredOption('--queue <url>', 'the queue: redis://host:port[/db]')
    .option('--minutes <m>', 'the --minutes given to experiment --queue', minutes)
    .option('--watch', 'redraw until every cell is done or failed (exit code 1 if any failed)')
    .option('--interval <s>', 'seconds between redraws with --watch', positiveInt, 2)
    .option('--runs <dir>', 'where results.md and rows.json go: <runs>/<experiment name>/', 'artifacts/runs')
    .action(async (path: string) => {
      const flags = cmd.opts<StatusFlags>();
      const { spec, points } = specPoints(path, cmd);
      const cells = specCells({ spec, points }, flags.minutes);
      const runs = resolve(flags.runs);
      if (!flags.watch) {
        report(spec.name, await withQueue(flags.queue, (queue) => cellStatuses(queue, cells)), runs);
        return;
      }
      // Watching rides out a Redis restart: the connection retries, and the table waits for it.
      const queue = openQueue(flags.queue, true);
      let lastError = '';
      queue.on('error', (err) => {
        if (err.message !== lastError) process.stderr.write(`queue: ${err.message} (${shownUrl(flags.queue)}; reconnecting)\n`);
        lastError = err.message;
      });
      try {
        let shown = '';
        for (;;) {
          const statuses = await cellStatuses(queue, cells);
          lastError = '';
          const done = settled(statuses);
          if (process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
          if (process.stdout.isTTY || done || gist(statuses) !== shown) {
            const allDone = report(spec.name, statuses, runs);
            if (done) {
              if (!allDone) process.exitCode = 1;
              return;
            }
          }
          shown = gist(statuses);
          await new Promise((r) => setTimeout(r, flags.interval * 1000));
        }
      } finally {
        await queue.close().catch(() => undefined);
      }
    });
  return cmd;
}
