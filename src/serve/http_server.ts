// The inference HTTP server: Node's built-in `http`, inference in a worker-thread pool (onnxruntime-node
// runs a session synchronously on the calling thread; on the main thread it would stall every request).
//
//   POST /predict[?k=5]  body: raw image bytes, or multipart/form-data with a `file` field -> top-k
//   POST /embed          same bodies -> L2-normalised embedding
//   GET  /healthz        liveness + pool state          GET /info   model metadata
// Errors are JSON `{ error: { code, message } }`: 400 (bad body / not an image), 404, 405, 413, 500, 503.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from './body.ts';
import { MultipartError, multipartBoundary, parseMultipart } from './multipart.ts';
import { InferencePool, type PoolOptions } from './worker_pool.ts';
import type { TaskKind } from './worker_protocol.ts';

export interface ServerOptions extends PoolOptions {
  /** Largest accepted request body in bytes (default 10 MiB). */
  maxBytes?: number;
  /** Classes returned by /predict without `?k=` (default 5). */
  topK?: number;
}

export interface InferenceServer {
  server: Server;
  pool: InferencePool;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Graceful: stop accepting, finish in-flight requests (force-close after `graceMs`), stop workers. */
  close(graceMs?: number): Promise<void>;
}

class HttpError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const ROUTES: Record<string, readonly string[]> = {
  '/predict': ['POST'],
  '/embed': ['POST'],
  '/healthz': ['GET', 'HEAD'],
  '/info': ['GET', 'HEAD'],
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** The image bytes of a request: the `file` field of a multipart body, or the raw body. */
async function imageBytes(req: IncomingMessage, maxBytes: number): Promise<Uint8Array> {
  let body: Uint8Array;
  try {
    body = await readBody(req, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new HttpError(413, 'payload_too_large', err.message);
    throw new HttpError(400, 'bad_request', `could not read the body: ${err instanceof Error ? err.message : String(err)}`);
  }
  let boundary: string | undefined;
  try {
    boundary = multipartBoundary(req.headers['content-type']);
    if (boundary !== undefined) {
      const file = parseMultipart(body, boundary).find((p) => p.name === 'file');
      if (!file) throw new MultipartError('multipart body has no "file" field');
      body = file.data;
    }
  } catch (err) {
    if (err instanceof MultipartError) throw new HttpError(400, 'bad_multipart', err.message);
    throw err;
  }
  if (body.length === 0) throw new HttpError(400, 'empty_body', 'the request has no image (send the bytes, or multipart with a "file" field)');
  return body;
}

function parseTopK(url: URL, fallback: number, classes: number): number {
  const raw = url.searchParams.get('k');
  if (raw === null) return Math.min(fallback, classes);
  const k = Number(raw);
  if (!Number.isInteger(k) || k < 1) throw new HttpError(400, 'bad_request', `k must be a positive integer, got "${raw}"`);
  return Math.min(k, classes);
}

export async function createInferenceServer(options: ServerOptions): Promise<InferenceServer> {
  const pool = await InferencePool.start(options);
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const meta = pool.metadata;
  let closing = false;

  async function infer(kind: TaskKind, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const k = parseTopK(url, options.topK ?? 5, meta.classes.length);
    const bytes = await imageBytes(req, maxBytes);
    const r = await pool.run(kind, bytes, k);
    if (!r.ok) {
      if (r.code === 'bad_image') throw new HttpError(400, 'bad_image', `the body is not a decodable image: ${r.message}`);
      throw new HttpError(closing ? 503 : 500, 'internal', r.message);
    }
    if (r.kind === 'predict') sendJson(res, 200, { model: meta.modelName, predictions: r.predictions });
    else sendJson(res, 200, { model: meta.modelName, dim: r.embedding.length, embedding: r.embedding });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const methods = ROUTES[url.pathname];
    if (!methods) throw new HttpError(404, 'not_found', `no route ${url.pathname} (try POST /predict, POST /embed, GET /healthz, GET /info)`);
    if (!methods.includes(req.method ?? '')) {
      res.setHeader('allow', methods.join(', '));
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${url.pathname}; use ${methods.join(' or ')}`);
    }
    switch (url.pathname) {
      case '/healthz':
        return sendJson(res, closing ? 503 : 200, { status: closing ? 'shutting_down' : 'ok', ...pool.stats() });
      case '/info':
        return sendJson(res, 200, meta);
      case '/predict':
        return infer('predict', req, res, url);
      default:
        return infer('embed', req, res, url);
    }
  }

  const server = createServer((req, res) => {
    if (closing) res.setHeader('connection', 'close');
    handle(req, res).catch((err: unknown) => {
      const e = err instanceof HttpError ? err : new HttpError(500, 'internal', err instanceof Error ? err.message : String(err));
      if (res.headersSent) return void res.destroy();
      // After a 413 or a bad body the rest of the request may still be arriving: close the connection.
      const headers: Record<string, string> = e.status === 413 || e.status === 400 ? { connection: 'close' } : {};
      sendJson(res, e.status, { error: { code: e.code, message: e.message } }, headers);
    });
  });

  return {
    server,
    pool,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve(server.address() as AddressInfo));
      }),
    async close(graceMs = 10_000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
      await pool.close();
    },
  };
}
