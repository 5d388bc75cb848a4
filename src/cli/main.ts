// The one CLI: `npm run cli -- <command> [options]`. Each command parses its flags, builds a typed
// config and calls one library function; errors print as one line (set DEBUG=1 for the stack).

import { Command } from 'commander';
import { predictCommand } from '../serve/predict_cli.ts';
import { serveCommand } from '../serve/serve_cli.ts';
import { webCommand } from '../../web/web_cli.ts';
import { buildGraphCommand } from './build_graph_command.ts';
import { compareCommand } from './compare_command.ts';
import { evalCommand } from './eval_command.ts';
import { experimentCommand } from './experiment_command.ts';
import { exportCommand, reportCommand } from './run_files_commands.ts';
import { trainCommand } from './train_command.ts';
import { workerCommand } from './worker_command.ts';

export function cli(): Command {
  return new Command('supcon')
    .description('Supervised Contrastive Learning image classifiers, trained and served with ONNX Runtime')
    // Each command's options are its own: `experiment status ... --queue` is status's --queue, not experiment's.
    .enablePositionalOptions()
    .addCommand(trainCommand())
    .addCommand(evalCommand())
    .addCommand(compareCommand())
    .addCommand(experimentCommand())
    .addCommand(workerCommand())
    .addCommand(exportCommand())
    .addCommand(reportCommand())
    .addCommand(buildGraphCommand())
    .addCommand(predictCommand())
    .addCommand(serveCommand())
    .addCommand(webCommand());
}

/** Runs `program` on argv, turning errors into one line and exit code 1. */
export async function runCli(program: Command, argv: readonly string[]): Promise<void> {
  try {
    await program.parseAsync([...argv]);
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    process.stderr.write(`error: ${process.env.DEBUG ? (e.stack ?? e.message) : e.message}\n`);
    process.exitCode = 1;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runCli(cli(), process.argv);
