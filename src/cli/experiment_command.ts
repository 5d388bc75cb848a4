// `experiment <spec.json>`: a grid of training runs (the spec: experiment_spec.ts), run here one after
// another into one results table. With --queue redis://host:port the runs are enqueued as cells for
// `worker`s (src/queue) instead, and `experiment status <spec.json> --queue <url>` shows where they stand
// (experiment_status_command.ts).

import { Command } from 'commander';
import { shownUrl } from '../queue/connection.ts';
import { enqueueCells, withQueue } from '../queue/grid_queue.ts';
import { experiment } from '../train/compare.ts';
import { positiveInt } from '../util/cli_args.ts';
import { minutes } from './compare_command.ts';
import { addConfigOptions, commandPatches, printedConfig } from './config_options.ts';
import { specCells, specPoints } from './experiment_spec.ts';
import { experimentStatusCommand } from './experiment_status_command.ts';

interface ExperimentOptions {
  minutes?: number;
  queue?: string;
  attempts: number;
  backoff: number;
  retryFailed?: boolean;
}

export function experimentCommand(): Command {
  const cmd: Command = addConfigOptions(new Command('experiment').description('run a grid of trainings from a JSON spec and write one results table (or enqueue it with --queue)'))
    .argument('<spec>', 'experiment spec (JSON)')
    .option('--minutes <m>', 'training wall-clock budget of every run: epochs are chosen to fit it', minutes)
    .option('--queue <url>', 'enqueue the runs as cells for workers (redis://host:port[/db]) and return, instead of running them here')
    .option('--attempts <n>', 'with --queue: tries of a cell whose process died (a permanent failure gets one)', positiveInt, 3)
    .option('--backoff <ms>', 'with --queue: delay before the first retry, doubling with each further one', positiveInt, 10_000)
    .option('--retry-failed', 'with --queue: put cells that failed back in the queue (after fixing what made them fail)')
    .action(async (path: string) => {
      const options = cmd.opts<ExperimentOptions>();
      const grid = specPoints(path, cmd);
      if (printedConfig(cmd, Object.fromEntries(grid.points.map((p) => [p.label, p.config])))) return;
      if (options.queue !== undefined) {
        const url = options.queue;
        const cells = specCells(grid, options.minutes);
        const { added, present, retried } = await withQueue(url, (queue) =>
          enqueueCells(queue, cells, { attempts: options.attempts, backoffMs: options.backoff, retryFailed: options.retryFailed === true }));
        const sameFlags = commandPatches(cmd).length > 0 || options.minutes !== undefined ? ' (with the same flags as here)' : '';
        process.stdout.write([
          `${grid.spec.name}: ${cells.length} cells on ${shownUrl(url)}: ${added.length} added, ${present.length} already queued${retried.length ? `, ${retried.length} failed ones retried` : ''}`,
          `start workers with: npm run worker -- --queue ${shownUrl(url)} --runs <run store>`,
          `follow them with:   npm run cli -- experiment status ${path} --queue ${shownUrl(url)} --watch${sameFlags}`,
        ].join('\n') + '\n');
        return;
      }
      const result = await experiment(grid.spec.name, grid.points, grid.spec.baseline ?? false, options.minutes === undefined ? {} : { minutes: options.minutes });
      process.stdout.write(`\n${result.table}\n\nruns and results.md in ${result.dir}\n`);
    });
  // Options after `status` are its own, not experiment's (both take --queue and the config flags).
  cmd.enablePositionalOptions().addCommand(experimentStatusCommand());
  return cmd;
}
