// A raw TCP client for requests no well-behaved HTTP client would send: garbage, broken framing, bodies
// cut short, headers one byte at a time. Every exchange is bounded in time.

import { connect, type Socket } from 'node:net';

export interface Exchange {
  /** Status of the response, if one arrived. */
  status: number | undefined;
  /** The response's body (as text), if one arrived. */
  body: string;
  /** The server closed the connection (with or without answering). */
  closedByServer: boolean;
  /** Nothing ended the exchange within the limit: the client gave up. */
  gaveUp: boolean;
  ms: number;
}

/** Connects, lets `write` send whatever it likes, and waits for one whole response or the server's close. */
export function exchange(port: number, write: (socket: Socket) => void | Promise<void>, limitMs = 5000): Promise<Exchange> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const socket = connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    let done = false;
    const finish = (closedByServer: boolean, gaveUp = false): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const text = data.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]) || undefined, body: head < 0 ? '' : text.slice(head + 4), closedByServer, gaveUp, ms: performance.now() - t0 });
    };
    const timer = setTimeout(() => finish(false, true), limitMs);
    socket.on('error', () => finish(true)); // EPIPE / ECONNRESET: the server hung up on us
    socket.on('close', () => finish(true));
    socket.on('data', (chunk: Buffer) => {
      data = Buffer.concat([data, chunk]);
      const text = data.toString('latin1');
      const head = text.indexOf('\r\n\r\n');
      if (head < 0) return;
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(text.slice(0, head))?.[1] ?? 0);
      if (data.length >= head + 4 + length) finish(false);
    });
    socket.once('connect', () => {
      Promise.resolve(write(socket)).catch(() => finish(true));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
