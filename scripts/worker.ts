// npm run worker -- --queue redis://host:6379 --runs <run store> [--concurrency 1] [--threads N] (see --help)
import { workerCommand } from '../src/cli/worker_command.ts';

await workerCommand().parseAsync(process.argv);
