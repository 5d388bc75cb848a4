// `eval <run>`: test accuracy, per-class accuracy and kNN accuracy of a finished run.

import { Command, InvalidArgumentError, Option } from 'commander';
import { EXECUTION_PROVIDERS, type ExecutionProvider, sessionFactory } from '../runtime/providers.ts';
import { evaluateRun } from '../train/eval_run.ts';

function threads(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`'${value}' is not an integer >= 0`);
  return n;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description("evaluate a finished run's final weights on its test split")
    .argument('<run>', 'run folder (artifacts/runs/<name>)')
    .option('--dataset <spec>', 'another dataset with the same classes')
    .addOption(new Option('--ep <provider>', 'execution provider').choices(EXECUTION_PROVIDERS).default('cpu'))
    .option('--threads <n>', 'ONNX Runtime threads (default all cores)', threads)
    .option('--json', 'print JSON')
    .action(async (run: string, flags: { dataset?: string; ep: ExecutionProvider; threads?: number; json?: boolean }) => {
      const r = await evaluateRun(run, sessionFactory(flags.ep, { threads: flags.threads ?? 0 }), flags.dataset);
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        return;
      }
      const width = Math.max(...r.perClass.map((c) => c.name.length));
      process.stdout.write([
        `${r.dataset}: test accuracy ${r.testAccuracy.toFixed(4)}, kNN accuracy (encoder) ${r.knnAccuracy.toFixed(4)}`,
        ...r.perClass.map((c) => `  ${c.name.padEnd(width)}  ${c.accuracy.toFixed(4)}  (${c.count})`),
      ].join('\n') + '\n');
    });
}
