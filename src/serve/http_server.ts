// The inference HTTP server: Node's built-in `http` (hardened in http_service.ts), inference in a
// worker-thread pool (onnxruntime-node runs a session synchronously on the calling thread; on the main
// thread it would stall every request).
//
//   POST /predict[?k=5]  body: raw image bytes, or multipart/form-data with a `file` part -> top-k
//   POST /embed          same bodies -> L2-normalised embedding
//   GET  /healthz        200 when a worker is ready, 503 otherwise     GET /info   model and limits
// Errors are JSON `{ error: { code, message } }`: 400 (bad URL, body or image), 403 (Host not allowed),
// 404, 405, 408, 413 (body, parts or pixels over the limit), 415, 431, 500, 503 (queue full, no worker
// ready, worker died, timeout, shutting down; with Retry-After).
//
// Bounded work: at most `maxQueue` inference requests are held at once (receiving, queued or running);
// more are refused with 503 before their body is read, and a request whose client went away is dropped
// before it reaches a worker.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BodyTooLargeError, readBody } from './body.ts';
import { messageOf } from '../runtime/ep_error.ts';
import { continueIfExpected, createHttpService, HttpError, requestUrl, sendJson, type HttpLimits } from './http_service.ts';
import { publicInfo } from './info.ts';
import { defaultMaxPixels } from './model_runner.ts';
import { isFormData, MultipartError, readFormFile } from './multipart.ts';
import { InferencePool, type PoolOptions } from './worker_pool.ts';
import type { FailureCode, TaskKind } from './worker_protocol.ts';

export interface ServerOptions extends PoolOptions, HttpLimits {
  /** Largest accepted request body in bytes (default 10 MiB). */
  maxBytes?: number;
  /** Classes returned by /predict without `?k=` (default 5). */
  topK?: number;
  /** Most inference requests held at once, receiving, queued or running (default 64); more get 503. */
  maxQueue?: number;
}

export interface InferenceServer {
  pool: InferencePool;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Graceful: stop accepting, answer in-flight requests for up to `graceMs` (503 after), stop workers. */
  close(graceMs?: number): Promise<void>;
}

const ROUTES: Record<string, readonly string[]> = {
  '/predict': ['POST'],
  '/embed': ['POST'],
  '/healthz': ['GET', 'HEAD'],
  '/info': ['GET', 'HEAD'],
};

/** Retry-After of every 503: these conditions pass within about a second (a worker restarts, the queue moves). */
const RETRY = { 'retry-after': '1' };

const FAILURE_STATUS: Record<Exclude<FailureCode, 'aborted'>, number> = { bad_image: 400, too_many_pixels: 413, unavailable: 503, timeout: 503, internal: 500 };

/** The image bytes of a request: the `file` part of a multipart/form-data body, or the raw body. */
async function imageBytes(req: IncomingMessage, res: ServerResponse, maxBytes: number): Promise<Uint8Array> {
  const type = req.headers['content-type'];
  if (/^multipart\//i.test(type ?? '') && !isFormData(type)) throw new HttpError(415, 'unsupported_media_type', `${type?.split(';')[0]} is not accepted; send the image bytes, or multipart/form-data with a "file" part`);
  continueIfExpected(req, res);
  let body: Uint8Array;
  try {
    body = type !== undefined && isFormData(type) ? await readFormFile(req, type, maxBytes) : await readBody(req, maxBytes);
  } catch (err) {
    if (err instanceof BodyTooLargeError) throw new HttpError(413, 'payload_too_large', err.message);
    if (err instanceof MultipartError) throw new HttpError(err.tooLarge ? 413 : 400, err.tooLarge ? 'too_many_parts' : 'bad_multipart', err.message);
    throw new HttpError(400, 'bad_request', `could not read the body: ${messageOf(err)}`);
  }
  if (body.length === 0) throw new HttpError(400, 'empty_body', 'the request has no image (send the bytes, or multipart with a "file" part)');
  return body;
}

function parseTopK(url: URL, fallback: number, classes: number): number {
  const raw = url.searchParams.get('k');
  if (raw === null) return Math.min(fallback, classes);
  const k = Number(raw);
  if (!Number.isInteger(k) || k < 1) throw new HttpError(400, 'bad_request', `k must be a positive integer, got "${raw.slice(0, 40)}"`);
  return Math.min(k, classes);
}

export async function createInferenceServer(options: ServerOptions): Promise<InferenceServer> {
  const pool = await InferencePool.start(options);
  const meta = pool.metadata;
  const maxBytes = options.maxBytes ?? 10 * 1024 * 1024;
  const maxQueue = options.maxQueue ?? 64;
  const info = publicInfo(meta, { maxBytes, maxPixels: options.maxPixels ?? defaultMaxPixels(meta.inputSize), maxQueue });
  let held = 0; // inference requests between admission and answer
  let closing = false;

  async function infer(kind: TaskKind, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const k = parseTopK(url, options.topK ?? 5, meta.classes.length);
    if (closing) throw new HttpError(503, 'shutting_down', 'the server is shutting down', RETRY);
    if (pool.stats().workers === 0) throw new HttpError(503, 'unavailable', 'no inference worker is ready (a replacement is starting)', RETRY);
    if (held >= maxQueue) throw new HttpError(503, 'overloaded', `the server is holding its limit of ${maxQueue} inference requests; retry shortly`, RETRY);
    held++;
    const gone = new AbortController();
    res.once('close', () => gone.abort()); // after the answer this changes nothing
    try {
      const bytes = await imageBytes(req, res, maxBytes);
      const r = await pool.run(kind, bytes, k, gone.signal);
      if (r.ok) {
        if (r.kind === 'predict') sendJson(res, 200, { model: meta.modelName, predictions: r.predictions });
        else sendJson(res, 200, { model: meta.modelName, dim: r.embedding.length, embedding: r.embedding });
        return;
      }
      if (r.code === 'aborted') return void res.destroy();
      const status = FAILURE_STATUS[r.code];
      const message = r.code === 'bad_image' ? `the body is not a decodable image: ${r.message}` : r.message;
      throw new HttpError(status, r.code, message, status === 503 ? RETRY : {});
    } finally {
      held--;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { url, path } = requestUrl(req);
    const methods = ROUTES[path];
    if (!methods) throw new HttpError(404, 'not_found', `no route ${path.slice(0, 100)} (try POST /predict, POST /embed, GET /healthz, GET /info)`);
    if (!methods.includes(req.method ?? '')) {
      throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed on ${path}; use ${methods.join(' or ')}`, { allow: methods.join(', ') });
    }
    switch (path) {
      case '/healthz': {
        const stats = { ...pool.stats(), held };
        if (closing) return sendJson(res, 503, { status: 'shutting_down', ...stats }, RETRY);
        if (stats.workers === 0) return sendJson(res, 503, { status: 'unavailable', ...stats }, RETRY);
        return sendJson(res, 200, { status: 'ok', ...stats });
      }
      case '/info':
        return sendJson(res, 200, info);
      case '/predict':
        return infer('predict', req, res, url);
      default:
        return infer('embed', req, res, url);
    }
  }

  const http = createHttpService(handle, options, options.log);
  return {
    pool,
    listen: (port, host) => http.listen(port, host),
    async close(graceMs = 10_000) {
      closing = true;
      // Stop accepting now; the pool answers or fails every request by its deadline, and a moment
      // later the connections still open (slow uploads) are cut.
      const stopped = http.close(graceMs + 250);
      await pool.close(graceMs);
      await stopped;
    },
  };
}
