// The `web` command: build the demo (esbuild) and serve it with an exported model on localhost.

import { Command } from 'commander';
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { addHttpOptions, httpLimits, type HttpFlags } from '../src/serve/http_flags.ts';
import { positiveInt } from '../src/util/cli_args.ts';
import { createStaticServer } from '../src/serve/static_server.ts';
import { DEFAULT_DIST, PAGE_FILES, buildWebApp } from './build.ts';

interface WebFlags extends HttpFlags {
  model: string;
  port: number;
  out: string;
  build: boolean;
}

export function webCommand(): Command {
  const cmd = new Command('web')
    .description('build the browser demo and serve it with a model on http://localhost (the page, model.json, model.onnx and model.embed.onnx; nothing else)')
    .requiredOption('-m, --model <path>', 'exported model folder (or its model.onnx; model.json must sit beside it)')
    .option('-p, --port <n>', 'port (0 = any free port)', (v) => (v === '0' ? 0 : positiveInt(v)), 8000)
    .option('--out <dir>', 'build folder', DEFAULT_DIST)
    .option('--no-build', 'serve the existing build');
  return addHttpOptions(cmd).action(async (f: WebFlags) => {
    const modelDir = f.model.endsWith('.onnx') ? dirname(f.model) : f.model;
    try {
      await stat(`${modelDir}/model.json`);
    } catch {
      process.stderr.write(`error: ${modelDir}/model.json not found (export the model first)\n`);
      process.exitCode = 2;
      return;
    }
    if (f.build) await buildWebApp(f.out);
    const log = (line: string): void => void process.stderr.write(`web: ${line}\n`);
    const app = createStaticServer({ root: f.out, pageFiles: PAGE_FILES, modelDir, ...httpLimits(f), log });
    const addr = await app.listen(f.port, '127.0.0.1');
    // localhost (not 127.0.0.1) in the link: a secure context, so navigator.gpu exists.
    process.stdout.write(`demo on http://localhost:${addr.port}/ (model from ${modelDir}); Ctrl-C to stop\n`);
    // Static files only: nothing worth waiting long for.
    const stop = (): void => void app.close(500).then(() => process.exit(0));
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
