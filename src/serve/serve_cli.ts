// The `serve` command: parse, start the server, shut down gracefully on SIGINT / SIGTERM.

import { Command, Option } from 'commander';
import { EXECUTION_PROVIDERS, type ExecutionProvider } from '../runtime/providers.ts';
import { availableParallelism } from 'node:os';
import { messageOf } from '../runtime/ep_error.ts';
import { positiveInt } from '../util/cli_args.ts';
import { createInferenceServer } from './http_server.ts';
import { addHttpOptions, httpLimits, type HttpFlags } from './http_flags.ts';

interface ServeFlags extends HttpFlags {
  model: string;
  port: number;
  host: string;
  workers: number;
  threads: number;
  ep: ExecutionProvider;
  maxBytes: number;
  maxBatch: number;
  maxQueue: number;
  maxPixels?: number;
  timeout: number;
  shutdownGrace: number;
  topK: number;
}

export function serveCommand(): Command {
  const cmd = new Command('serve')
    .description('HTTP inference server: POST /predict, POST /embed, GET /healthz, GET /info')
    .requiredOption('-m, --model <path>', 'exported model.onnx or its folder')
    .option('-p, --port <n>', 'port (0 = any free port)', (v) => (v === '0' ? 0 : positiveInt(v)), 8080)
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    // Default: one worker per two cores, one ORT thread each, so workers never fight for cores.
    .option('-w, --workers <n>', 'inference worker threads', positiveInt, Math.max(1, Math.floor(availableParallelism() / 2)))
    .addOption(new Option('--ep <provider>', 'execution provider of the workers').choices(EXECUTION_PROVIDERS).default('cpu'))
    .option('--threads <n>', 'ONNX Runtime threads per worker', positiveInt, 1)
    .option('--max-bytes <n>', 'largest request body in bytes (413 above)', positiveInt, 10 * 1024 * 1024)
    .option('--max-pixels <n>', 'largest image, width x height, checked before decoding (413 above; default (128 x model input side)^2)', positiveInt)
    .option('--max-batch <n>', 'most queued requests one worker answers in one run', positiveInt, 16)
    .option('--max-queue <n>', 'most inference requests held at once, receiving, queued or running (503 + Retry-After above)', positiveInt, 64)
    .option('--timeout <ms>', 'most time from a request\'s arrival at the queue to its answer (503 after; a worker stuck that long is replaced)', positiveInt, 30_000)
    .option('--shutdown-grace <ms>', 'on SIGINT / SIGTERM, time to finish in-flight requests (503 after)', positiveInt, 10_000)
    .option('-k, --top-k <n>', 'classes returned by /predict without ?k=', positiveInt, 5);
  return addHttpOptions(cmd).action(async (f: ServeFlags) => {
    const log = (line: string): void => void process.stderr.write(`serve: ${line}\n`);
    let app;
    let addr;
    try {
      app = await createInferenceServer({
        modelPath: f.model,
        workers: f.workers,
        threadsPerWorker: f.threads,
        ep: f.ep,
        maxBytes: f.maxBytes,
        maxBatch: f.maxBatch,
        maxQueue: f.maxQueue,
        timeoutMs: f.timeout,
        topK: f.topK,
        ...(f.maxPixels === undefined ? {} : { maxPixels: f.maxPixels }),
        ...httpLimits(f),
        log,
      });
      addr = await app.listen(f.port, f.host);
    } catch (err) {
      process.stderr.write(`error: cannot start the server: ${messageOf(err)}\n`);
      await app?.close(0);
      process.exitCode = 2;
      return;
    }
    const m = app.pool.metadata;
    process.stdout.write(`serving ${m.modelName} (${m.encoder}, ${m.classes.length} classes, ${m.channels}x${m.inputSize}x${m.inputSize}) on http://${addr.address}:${addr.port} with ${f.workers} worker(s)\n`);
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) process.exit(1); // a second Ctrl-C forces it
      stopping = true;
      process.stdout.write(`${signal}: finishing in-flight requests (at most ${f.shutdownGrace} ms)...\n`);
      app.close(f.shutdownGrace).then(() => process.stdout.write('stopped\n'), (err: unknown) => {
        process.stderr.write(`shutdown error: ${String(err)}\n`);
        process.exitCode = 1;
      });
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
