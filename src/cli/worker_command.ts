// `worker --queue <url> --runs <dir>`: takes experiment cells from the queue and runs each in its own
// process (src/queue/worker.ts) until SIGINT / SIGTERM, which put the running cells back in the queue
// (a second signal exits at once). It loads no trainer itself, so it starts in about a second.

import { resolve } from 'node:path';
import { availableParallelism } from 'node:os';
import { Command } from 'commander';
import { redisOptions } from '../queue/connection.ts';
import { startCellWorker } from '../queue/worker.ts';
import { positiveInt } from '../util/cli_args.ts';

interface WorkerFlags {
  queue: string;
  runs: string;
  concurrency: number;
  threads?: number;
  lockDuration: number;
}

export function workerCommand(): Command {
  const cores = availableParallelism();
  const cmd: Command = new Command('worker')
    .description('run experiment cells from a queue (see experiment --queue) into a run store shared by all workers')
    .requiredOption('--queue <url>', 'the queue: redis://host:port[/db]')
    .option('--runs <dir>', 'the run store shared by all workers (a shared volume on a cluster)', 'artifacts/runs')
    .option('--concurrency <n>', 'cells run at once, each in its own process', positiveInt, 1)
    .option('--threads <n>', `ONNX Runtime threads of each cell (default: the cell's own; where that is all cores, ${cores} cores / concurrency)`, positiveInt)
    .option('--lock-duration <ms>', "a cell's lock without renewal: a vanished worker's cells go back to the queue after about this long", positiveInt, 30_000)
    .action(async () => {
      const flags = cmd.opts<WorkerFlags>();
      redisOptions(flags.queue, true); // a malformed URL stops here, before anything starts
      const worker = startCellWorker({
        url: flags.queue,
        runs: resolve(flags.runs),
        concurrency: flags.concurrency,
        ...(flags.threads === undefined ? {} : { threads: flags.threads }),
        cores,
        lockDuration: flags.lockDuration,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      // The worker runs until a signal; then the process ends, with nothing left to wait for.
      const stop = (signal: string): void => {
        process.stderr.write(`${signal}: stopping; running cells go back to the queue (again to exit at once)\n`);
        process.once(signal, () => process.exit(130));
        void worker.close().then(() => process.exit(0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  return cmd;
}
