// What both servers (inference and demo) are built on: Node's http server with explicit timeouts and
// connection limits, one error boundary around every request (a malformed request line, header or URL
// is a 4xx, never a crash), JSON errors, the Host check, listen and a graceful close with a deadline.

import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, Socket, type AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { messageOf } from '../runtime/ep_error.ts';
import { HostCheck } from './host_check.ts';

export interface HttpLimits {
  /** Most milliseconds to receive a request's headers (default 10 s; Node's own is 60 s). */
  headersTimeoutMs?: number;
  /** Most milliseconds to receive a whole request, body included (default 30 s; Node's own is 300 s). */
  requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this (default 5 s). */
  keepAliveTimeoutMs?: number;
  /** Connections beyond this many open ones are refused (default 256). */
  maxConnections?: number;
  /** Host names accepted besides IP literals, localhost and the bound name; 'any' turns the check off. */
  allowedHosts?: readonly string[] | 'any';
}

export const HTTP_DEFAULTS = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000, maxConnections: 256 } as const;

/** Largest request head (request line + headers); more is a 431. Node's default, made explicit. */
const MAX_HEADER_BYTES = 16 * 1024;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

const errorBody = (code: string, message: string): { error: { code: string; message: string } } => ({ error: { code, message } });

/** The parsed request target; 400 when it does not parse or its path is not valid percent-encoding. */
export function requestUrl(req: IncomingMessage): { url: URL; path: string } {
  const raw = req.url ?? '/';
  try {
    const url = new URL(raw, 'http://localhost');
    return { url, path: decodeURIComponent(url.pathname) };
  } catch {
    throw new HttpError(400, 'bad_url', `malformed request target ${JSON.stringify(raw.slice(0, 100))}`);
  }
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface HttpService {
  server: Server;
  listen(port: number, host?: string): Promise<AddressInfo>;
  /** Stops accepting, closes idle connections now and every other one after `graceMs`. */
  close(graceMs: number): Promise<void>;
}

/** A JSON error written straight to a socket that has no response object, then the connection's end. */
function endWithError(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify(errorBody(code, message));
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/** Answers a request line or header Node's parser refused (it never reaches the handler). */
function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  // Only where nothing was written yet: a timeout may hit a connection that already has its answer.
  if (err.code === 'ECONNRESET' || !socket.writable || !(socket instanceof Socket) || socket.bytesWritten > 0) return void socket.destroy();
  if (err.code === 'HPE_HEADER_OVERFLOW') return endWithError(socket, 431, 'headers_too_large', `the request head is over ${MAX_HEADER_BYTES} bytes`);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') return endWithError(socket, 408, 'request_timeout', 'the request did not arrive in time');
  endWithError(socket, 400, 'bad_request', `malformed HTTP request (${err.code ?? err.message})`);
}

export function createHttpService(handler: Handler, limits: HttpLimits = {}, log?: (line: string) => void): HttpService {
  const l = { ...HTTP_DEFAULTS, ...limits };
  const hosts = new HostCheck(l.allowedHosts ?? []);
  let closing = false;

  const sendError = (res: ServerResponse, err: unknown): void => {
    const e = err instanceof HttpError ? err : new HttpError(500, 'internal', messageOf(err));
    if (!(err instanceof HttpError)) log?.(`internal error on ${res.req.method} ${res.req.url}: ${err instanceof Error ? err.stack : e.message}`);
    if (res.headersSent || res.destroyed) return void res.destroy();
    // An unread body may still be arriving: discard it, and end our side of the connection after the
    // answer while still reading. (`connection: close` would make Node destroy the socket with unread
    // bytes in it, and the client's kernel then drops the answer on the reset.)
    const req = res.req;
    if (!req.complete) {
      req.resume();
      res.once('finish', () => {
        if (!req.complete) req.socket.end();
      });
    }
    sendJson(res, e.status, errorBody(e.code, e.message), e.headers);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (closing) res.setHeader('connection', 'close');
    const verdict = hosts.verdict(req.headers.host);
    if (verdict === 'malformed') throw new HttpError(400, 'bad_host', `malformed Host header ${JSON.stringify(req.headers.host?.slice(0, 100))}`);
    if (verdict === 'refused') throw new HttpError(403, 'host_not_allowed', `Host ${JSON.stringify(req.headers.host?.slice(0, 100))} is not one this server answers to (start it with --allowed-hosts <name>)`);
    await handler(req, res);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    req.on('error', () => undefined); // an aborted upload errors the stream; readers see it as a premature close
    serve(req, res).catch((err: unknown) => {
      try {
        sendError(res, err);
      } catch {
        res.destroy();
      }
    });
  };

  const server = createServer(
    {
      headersTimeout: Math.min(l.headersTimeoutMs, l.requestTimeoutMs),
      requestTimeout: l.requestTimeoutMs,
      keepAliveTimeout: l.keepAliveTimeoutMs,
      // Node checks both timeouts every 30 s by default: a slow client would get up to 30 s extra.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, l.headersTimeoutMs / 4)),
      maxHeaderSize: MAX_HEADER_BYTES,
    },
    onRequest,
  );
  server.maxConnections = l.maxConnections;
  server.on('clientError', onClientError);
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => endWithError(socket, 405, 'method_not_allowed', 'CONNECT is not allowed: this is no proxy'));
  // Expect: 100-continue goes through the handler too, which answers before the body is sent when it
  // refuses the request (413, 503) and sends 100 Continue only when it starts reading.
  server.on('checkContinue', onRequest);

  return {
    server,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        if (isIP(host) === 0) hosts.allow(host);
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    async close(graceMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** Sends 100 Continue to a client waiting for it (Expect: 100-continue) before the body is read. */
export function continueIfExpected(req: IncomingMessage, res: ServerResponse): void {
  if (/^100-continue$/i.test(req.headers.expect ?? '')) res.writeContinue();
}
