// A small static file server for the browser demo: the built page (web/dist) at `/` and an exported
// model's folder at `/model/`. Sends the cross-origin isolation headers so onnxruntime-web may use
// WASM threads, and `application/wasm` so browsers compile the runtime while it streams.

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json; charset=utf-8',
};

export interface StaticServerOptions {
  /** Folder served at `/` (index.html for `/`). */
  root: string;
  /** Folder served at `/model/` (model.json, model.onnx, model.embed.onnx). */
  modelDir: string;
}

/** The file under `base` that `urlPath` names, or undefined when it would escape `base`. */
function resolveUnder(base: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  const path = normalize(join(base, decoded));
  return path === normalize(base) || path.startsWith(normalize(base) + sep) ? path : undefined;
}

export function createStaticServer(options: StaticServerOptions): Server {
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isModel = url.pathname.startsWith('/model/');
    const file = isModel
      ? resolveUnder(options.modelDir, url.pathname.slice('/model/'.length))
      : resolveUnder(options.root, url.pathname === '/' ? 'index.html' : url.pathname);
    const fail = (status: number, message: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(message);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(405, 'method not allowed');
    if (!file) return fail(404, 'not found');
    stat(file).then(
      (s) => {
        if (!s.isFile()) return fail(404, 'not found');
        res.writeHead(200, {
          'content-type': MIME[extname(file)] ?? 'application/octet-stream',
          'content-length': s.size,
          'cache-control': 'no-cache',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        });
        if (req.method === 'HEAD') return void res.end();
        createReadStream(file).on('error', () => res.destroy()).pipe(res);
      },
      () => fail(404, 'not found'),
    );
  });
}

export function listen(server: Server, port: number, host = '127.0.0.1'): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}
