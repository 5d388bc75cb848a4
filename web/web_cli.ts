// The `web` command: build the demo (esbuild) and serve it with an exported model on localhost.

import { Command } from 'commander';
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { positiveInt } from '../src/serve/predict_cli.ts';
import { createStaticServer, listen } from '../src/serve/static_server.ts';
import { DEFAULT_DIST, buildWebApp } from './build.ts';

export function webCommand(): Command {
  return new Command('web')
    .description('build the browser demo and serve it with a model on http://localhost')
    .requiredOption('-m, --model <path>', 'exported model folder (or its model.onnx; model.json must sit beside it)')
    .option('-p, --port <n>', 'port (0 = any free port)', (v) => (v === '0' ? 0 : positiveInt(v)), 8000)
    .option('--out <dir>', 'build folder', DEFAULT_DIST)
    .option('--no-build', 'serve the existing build')
    .action(async (f: { model: string; port: number; out: string; build: boolean }) => {
      const modelDir = f.model.endsWith('.onnx') ? dirname(f.model) : f.model;
      try {
        await stat(`${modelDir}/model.json`);
      } catch {
        process.stderr.write(`error: ${modelDir}/model.json not found (export the model first)\n`);
        process.exitCode = 2;
        return;
      }
      if (f.build) await buildWebApp(f.out);
      const server = createStaticServer({ root: f.out, modelDir });
      const addr = await listen(server, f.port, '127.0.0.1');
      // localhost (not 127.0.0.1) in the link: a secure context, so navigator.gpu exists.
      process.stdout.write(`demo on http://localhost:${addr.port}/ (model from ${modelDir}); Ctrl-C to stop\n`);
      const stop = (): void => {
        server.close(() => process.exit(0));
        server.closeAllConnections(); // static files only: nothing worth waiting for
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
}
