// npm run serve -- --model artifacts/<name>/export/model.onnx [--port 8080] [--workers 2] [--max-bytes 10485760]
import { serveCommand } from '../src/serve/serve_cli.ts';

await serveCommand().parseAsync(process.argv);
