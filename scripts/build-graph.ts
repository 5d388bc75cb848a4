// npm run build-graph -- --encoder resnet18 --stem cifar --image-size 32 --channels 3 --classes 10 [--config run.json] [--out artifacts]
import { buildGraphCommand } from '../src/cli/build_graph_command.ts';
import { runCli } from '../src/cli/main.ts';

await runCli(buildGraphCommand(), process.argv);
