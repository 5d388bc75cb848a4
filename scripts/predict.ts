// npm run predict -- <images or folders...> --model artifacts/<name>/export/model.onnx [--json] [-k 5]
import { predictCommand } from '../src/serve/predict_cli.ts';

await predictCommand().parseAsync(process.argv);
