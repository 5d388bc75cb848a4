// Malformed and hostile requests for the fuzz test, by kind: each kind builds its requests from a seeded
// RNG and says which outcomes are correct (a status, or the server closing the connection).

import type { Socket } from 'node:net';
import sharp from 'sharp';
import { Rng } from '../../src/data/rng.ts';
import { sleep, type Exchange } from './raw_http.ts';

export type Target = 'serve' | 'web';
export type Write = (socket: Socket) => void | Promise<void>;

export interface Kind {
  name: string;
  targets: readonly Target[];
  count: number;
  /** One request of this kind against `target`, drawn from `rng`. */
  make(rng: Rng, target: Target): Write;
  /** Statuses that are a right answer; 'closed': the server hung up without one. */
  ok: readonly (number | 'closed')[];
  /** Longest acceptable exchange (slow clients must be cut off in time). */
  limitMs?: number;
}

const HOST = 'Host: 127.0.0.1';
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const send = (...parts: (string | Buffer)[]): Write => (s) => void s.write(Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))));
const post = (path: string, headers: readonly string[], body: string | Buffer): Write =>
  send(`POST ${path} HTTP/1.1\r\n${HOST}\r\n${[...headers, `Content-Length: ${typeof body === 'string' ? Buffer.byteLength(body, 'latin1') : body.length}`].join('\r\n')}\r\n\r\n`, body);
const path = (t: Target): string => (t === 'serve' ? '/predict' : '/model/model.json');
const randomBytes = (rng: Rng, n: number): Buffer => Buffer.from(Array.from({ length: n }, () => rng.int(256)));

/** CRC-32 (PNG's), for PNG chunks with forged contents. */
function crc32(buf: Buffer): number {
  let c = ~0;
  for (const byte of buf) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/**
 * Decompression bombs: a real one (4096 x 4096, 16.7 megapixels from ~50 kB of PNG) and small files
 * whose headers claim 50000 x 50000 (PNG, with a valid IHDR CRC), 65000 x 65000 (JPEG SOF) and
 * 65535 x 65535 (GIF screen and frame): none may be decoded.
 */
export async function bombs(): Promise<Buffer[]> {
  const solid = (w: number, h: number) => sharp({ create: { width: w, height: h, channels: 3, background: { r: 200, g: 20, b: 20 } } });
  const real = await solid(4096, 4096).png({ compressionLevel: 9 }).toBuffer();
  const png = await solid(8, 8).png().toBuffer();
  png.writeUInt32BE(50_000, 16); // IHDR data starts at 16: width, height
  png.writeUInt32BE(50_000, 20);
  png.writeUInt32BE(crc32(png.subarray(12, 29)), 29);
  const jpeg = await solid(8, 8).jpeg().toBuffer();
  const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
  jpeg.writeUInt16BE(65_000, sof + 5); // SOF0: length(2) precision(1) height(2) width(2)
  jpeg.writeUInt16BE(65_000, sof + 7);
  const gif = await solid(8, 8).gif().toBuffer();
  const frame = gif.indexOf(Buffer.from([0x2c, 0, 0, 0, 0, 8, 0, 8, 0])); // image descriptor at (0, 0), 8 x 8
  for (const at of [6, 8, frame + 5, frame + 7]) gif.writeUInt16LE(65_535, at); // screen and frame size
  return [real, png, jpeg, gif];
}

const manyParts = `${'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n'.repeat(100_000)}--B--\r\n`;

export function kinds(bombImages: readonly Buffer[], slowMs: { header: number; request: number }): Kind[] {
  return [
    {
      name: 'random bytes',
      targets: ['serve', 'web'],
      count: 300,
      make: (rng) => send(randomBytes(rng, 16 + rng.int(2048))),
      ok: [400, 'closed'],
    },
    {
      name: 'bad request lines',
      targets: ['serve', 'web'],
      count: 300,
      make: (rng, t) => {
        const line = pick(rng, [
          'GET http://[/ HTTP/1.1',
          `GET ${path(t)} HTTP/9.9`,
          'GET  HTTP/1.1',
          'G\x00T / HTTP/1.1',
          'GET /\x7f HTTP/1.1',
          `GET ${path(t)} HTTP/1.1 trailing`,
          'GET http://%zz/ HTTP/1.1',
          'GET http://a:99999/x HTTP/1.1',
          `${'A'.repeat(300)} / HTTP/1.1`,
          'get / HTTP/1.1',
          'CONNECT 127.0.0.1:22 HTTP/1.1',
          'GET //// HTTP/1.1',
          `GET /${'\u00e9'.repeat(50)} HTTP/1.1`,
          'DELETE /healthz HTTP/1.1',
          `GET *?${rng.int(1e6)} HTTP/1.1`,
          'GET ../../etc/passwd HTTP/1.1',
        ]);
        return send(`${line}\r\n${HOST}\r\nConnection: close\r\n\r\n`);
      },
      ok: [400, 404, 405],
    },
    {
      name: 'bad percent-encoding',
      targets: ['serve', 'web'],
      count: 300,
      make: (rng) => {
        const target = pick(rng, ['/%', '/%E0%A4%A', '/model/%C0%AF..%C0%AF', '/model/..%2fconfig.json', '/model/%2e%2e/config.json', '/predict?k=%ZZ', '/%00', '/model/model.json%00.png', '/%uD800', '/model%2fmodel.json']);
        return send(`GET ${target}&${rng.int(1e6)} HTTP/1.1\r\n${HOST}\r\nConnection: close\r\n\r\n`);
      },
      ok: [400, 404, 405],
    },
    {
      name: 'truncated bodies',
      targets: ['serve'],
      count: 200,
      make: (rng) => async (s) => {
        s.write(`POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Type: image/png\r\nContent-Length: ${1000 + rng.int(5000)}\r\n\r\n`);
        s.write(randomBytes(rng, rng.int(900)));
        await sleep(rng.int(20));
        s.end(); // the client gives up half-way
      },
      ok: [400, 'closed'],
    },
    {
      name: 'oversized bodies',
      targets: ['serve'],
      count: 150,
      make: (rng) =>
        rng.chance(0.5)
          ? send(`POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Length: ${1e9 + rng.int(1e9)}\r\n\r\n`, randomBytes(rng, 100))
          : async (s) => {
              s.write(`POST /embed HTTP/1.1\r\n${HOST}\r\nTransfer-Encoding: chunked\r\n\r\n`);
              const chunk = Buffer.alloc(256 * 1024, 7);
              for (let sent = 0; sent < 10 * 1024 * 1024 && s.writable; sent += chunk.length) {
                s.write(`${chunk.length.toString(16)}\r\n`);
                s.write(chunk);
                if (!s.write('\r\n')) await new Promise((r) => s.once('drain', r));
              }
            },
      ok: [413, 'closed'],
      limitMs: 10_000,
    },
    {
      name: 'bad multipart boundaries',
      targets: ['serve'],
      count: 200,
      make: (rng) => {
        const [type, body] = pick(rng, [
          ['multipart/form-data', '--B\r\n\r\nx\r\n--B--'],
          ['multipart/form-data; boundary=', 'x'],
          [`multipart/form-data; boundary=${'x'.repeat(200)}`, `--${'x'.repeat(200)}\r\nContent-Disposition: form-data; name="file"\r\n\r\nx`],
          ['multipart/form-data; boundary=B', 'no boundary in the body at all'],
          ['multipart/form-data; boundary=B', '--C\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--C--\r\n'],
          ['multipart/form-data; boundary=B', '--B\r\nno-colon\r\n\r\nx\r\n--B--\r\n'],
          ['multipart/form-data; boundary=B', '--B\r\nContent-Disposition: form-data; name="file"\r\n\r\ncut short'],
          ['multipart/form-data; boundary="unterminated', '--unterminated\r\n'],
          ['multipart/mixed; boundary=B', '--B\r\n\r\nx\r\n--B--'],
        ] as const);
        return post('/predict', [`Content-Type: ${type}`], `${body}${rng.chance(0.5) ? randomBytes(rng, 20).toString('latin1') : ''}`);
      },
      ok: [400, 413, 415],
    },
    {
      name: '10^5 multipart parts',
      targets: ['serve'],
      count: 8,
      make: () => post('/predict', ['Content-Type: multipart/form-data; boundary=B'], manyParts),
      ok: [413],
      limitMs: 10_000,
    },
    {
      name: 'huge headers',
      targets: ['serve', 'web'],
      count: 150,
      make: (rng, t) => {
        const headers = rng.chance(0.5) ? [`X-Big: ${'a'.repeat(20_000 + rng.int(50_000))}`] : Array.from({ length: 1000 }, (_, i) => `X-H${i}: ${'b'.repeat(20)}`);
        return send(`GET ${path(t)} HTTP/1.1\r\n${HOST}\r\n${headers.join('\r\n')}\r\n\r\n`);
      },
      ok: [431, 'closed'],
    },
    {
      name: 'decompression bombs',
      targets: ['serve'],
      count: 100,
      make: (rng) => {
        const image = pick(rng, bombImages);
        return rng.chance(0.5)
          ? post('/predict', ['Content-Type: image/png'], image)
          : post('/embed', ['Content-Type: multipart/form-data; boundary=B'], Buffer.concat([Buffer.from('--B\r\nContent-Disposition: form-data; name="file"; filename="x"\r\n\r\n'), image, Buffer.from('\r\n--B--\r\n')]));
      },
      ok: [400, 413],
    },
    {
      name: 'wrong content types',
      targets: ['serve'],
      count: 200,
      make: (rng) => {
        const [type, body] = pick(rng, [
          ['application/json', '{"image": "data:image/png;base64,iVBORw0KGgo="}'],
          ['text/plain', 'hello, I am not an image'],
          ['image/png', 'GIF89a but not really'],
          ['application/x-www-form-urlencoded', 'file=%89PNG%0D%0A'],
          ['multipart/byteranges; boundary=B', '--B\r\n\r\nx\r\n--B--'],
          ['\u00ff\u00fe', '\x89PNG\r\n\x1a\n'],
          ['image/jpeg', '\xff\xd8\xff\xe0 truncated jpeg'],
        ] as const);
        return post(rng.chance(0.5) ? '/predict' : '/embed', [`Content-Type: ${type}`], body);
      },
      ok: [400, 415],
    },
    {
      name: 'slow clients',
      targets: ['serve', 'web'],
      count: 16,
      make: (rng, t) => async (s) => {
        if (t === 'web' || rng.chance(0.5)) {
          // Headers one byte every 50 ms: cut at the header timeout.
          for (const ch of `GET ${path(t)} HTTP/1.1\r\n${HOST}\r\nX-Slow: ${'z'.repeat(200)}\r\n\r\n`) {
            if (!s.writable) return;
            s.write(ch);
            await sleep(50);
          }
        } else {
          // A body of 1 MB at 1 kB every 50 ms: cut at the request timeout.
          s.write(`POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Length: 1000000\r\n\r\n`);
          while (s.writable) {
            s.write(Buffer.alloc(1000, 1));
            await sleep(50);
          }
        }
      },
      ok: [400, 408, 'closed'],
      limitMs: Math.max(slowMs.header, slowMs.request) + 2000,
    },
    {
      name: 'foreign Host headers',
      targets: ['serve', 'web'],
      count: 100,
      make: (rng, t) => send(`GET ${t === 'serve' ? '/info' : '/'} HTTP/1.1\r\nHost: ${pick(rng, ['evil.example', 'evil.example:8080', 'localhost.evil.example', '[::zz]', 'a b', '127.0.0.1.nip.io'])}\r\nConnection: close\r\n\r\n`),
      ok: [400, 403],
    },
    {
      name: 'broken framing',
      targets: ['serve'],
      count: 100,
      make: (rng) =>
        send(
          pick(rng, [
            `POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
            `POST /predict HTTP/1.1\r\n${HOST}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`,
            `POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Length: -1\r\n\r\n`,
            `POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab`,
            `POST /predict HTTP/1.1\r\n${HOST}\r\nContent-Length: 12abc\r\n\r\n`,
            `POST /predict HTTP/1.1\r\n${HOST}\r\nTransfer-Encoding: gzip, chunked, identity\r\n\r\n`,
          ]),
        ),
      ok: [400, 'closed'],
    },
  ];
}

/** The outcome of an exchange as the kinds' `ok` lists name it. */
export const outcome = (e: Exchange): number | 'closed' | 'no answer' => e.status ?? (e.closedByServer ? 'closed' : 'no answer');
