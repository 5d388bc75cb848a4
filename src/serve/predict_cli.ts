// The `predict` command: parse, call predict(), print. Shared by scripts/predict.ts and src/cli.

import { Command, Option } from 'commander';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/providers.ts';
import { positiveInt } from '../util/cli_args.ts';
import { formatTable, predict } from './predict.ts';

export function predictCommand(): Command {
  return new Command('predict')
    .description('classify images with an exported model (prints top-k; exit code 1 if some image failed, 2 if the model did not load)')
    .argument('<inputs...>', 'image files or folders (searched recursively)')
    .requiredOption('-m, --model <path>', 'exported model.onnx or its folder')
    .option('-k, --top-k <n>', 'classes shown per image', positiveInt, 5)
    .option('--batch-size <n>', 'images per ONNX Runtime run', positiveInt, 32)
    .addOption(new Option('--ep <provider>', 'execution provider').choices(EXECUTION_PROVIDERS).default('cpu'))
    .option('--threads <n>', 'ONNX Runtime intra-op threads (default: all cores)', positiveInt)
    .option('--json', 'print JSON instead of a table')
    .action(async (inputs: string[], opts: { model: string; topK: number; batchSize: number; ep: ExecutionProvider; threads?: number; json?: boolean }) => {
      let report;
      try {
        report = await predict({
          model: opts.model,
          inputs,
          topK: opts.topK,
          batchSize: opts.batchSize,
          ep: opts.ep,
          ...(opts.threads === undefined ? {} : { threads: opts.threads }),
        });
      } catch (err) {
        // Model problems (missing file, not an export): one line, no stack.
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exitCode = 2;
        return;
      }
      process.stdout.write(`${opts.json ? JSON.stringify(report, null, 2) : formatTable(report)}\n`);
      if (report.failures.length > 0) process.exitCode = 1;
    });
}
