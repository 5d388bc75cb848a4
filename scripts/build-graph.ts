// npm run build-graph -- --model resnet18 --stem cifar --size 32 [--config model.json] [--out artifacts]
import { buildGraphCommand } from '../src/cli/build_graph_command.ts';
import { runCli } from '../src/cli/main.ts';

await runCli(buildGraphCommand(), process.argv);
