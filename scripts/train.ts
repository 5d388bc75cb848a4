// npm run train -- [--dataset fashion-mnist] [--method supcon|simclr|max-margin|ce] [--epochs N] ... (see --help)
import { runCli } from '../src/cli/main.ts';
import { trainCommand } from '../src/cli/train_command.ts';

await runCli(trainCommand(), process.argv);
