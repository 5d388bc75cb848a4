import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { BodyTooLargeError } from '../../src/serve/body.ts';
import { FORM_LIMITS, MultipartError, isFormData, readFormFile } from '../../src/serve/multipart.ts';

const enc = (s: string): Buffer => Buffer.from(s, 'latin1');
/** A body arriving in chunks of `chunk` bytes, as from a socket. */
const stream = (body: Buffer, chunk = 1000): Readable => Readable.from(Array.from({ length: Math.ceil(body.length / chunk) }, (_, i) => body.subarray(i * chunk, (i + 1) * chunk)));
const part = (name: string, data: string, extra = ''): string => `--B\r\nContent-Disposition: form-data; name="${name}"${extra}\r\n\r\n${data}\r\n`;

test('content types: multipart/form-data only', () => {
  assert.equal(isFormData('multipart/form-data; boundary=abc123'), true);
  assert.equal(isFormData('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), true);
  assert.equal(isFormData('multipart/mixed; boundary=x'), false);
  assert.equal(isFormData('image/png'), false);
  assert.equal(isFormData(undefined), false);
});

test('the file part keeps its bytes exactly (CRLF, dashes, NUL, 0xff), other parts are skipped', async () => {
  const payload = '\r\n--not-the-boundary\r\n\x00\xff';
  const body = enc(`preamble\r\n${part('note', 'hi')}${part('file', payload, '; filename="x.png"\r\nContent-Type: image/png')}--B--\r\n`);
  for (const chunk of [1, 7, 1000]) assert.deepEqual(Buffer.from(await readFormFile(stream(body, chunk), 'multipart/form-data; boundary=B', 1 << 20)), enc(payload), `chunks of ${chunk}`);
  // Without a filename the part is still bytes; a quoted boundary works; the first `file` part wins.
  const twice = enc(`${part('file', 'first')}${part('file', 'second')}--B--\r\n`);
  assert.deepEqual(Buffer.from(await readFormFile(stream(twice), 'multipart/form-data; boundary="B"', 1 << 20)), enc('first'));
});

test('malformed forms are MultipartErrors (400), over-limit ones are tooLarge (413)', async () => {
  const read = (body: string, type = 'multipart/form-data; boundary=B'): Promise<Uint8Array> => readFormFile(stream(enc(body)), type, 1 << 20);
  const rejectsWith = async (p: Promise<unknown>, pattern: RegExp, tooLarge = false): Promise<void> => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof MultipartError, `expected a MultipartError, got ${String(err)}`);
    assert.match(err.message, pattern);
    assert.equal(err.tooLarge, tooLarge);
  };
  await rejectsWith(read('--B\r\nContent-Disposition: form-data; name="file"\r\n\r\ntruncated'), /malformed multipart body/);
  await rejectsWith(read(`${part('image', 'x')}--B--\r\n`), /no "file" part/);
  await rejectsWith(read('no delimiter at all'), /malformed|no "file" part/);
  await rejectsWith(read('x', 'multipart/form-data'), /bad multipart Content-Type/);
  await rejectsWith(read(`${part('a', 'x').repeat(FORM_LIMITS.parts + 1)}${part('file', 'y')}--B--\r\n`), /more than 16 parts/, true);
  // A part header of 100 kB is cut at headerSize (8 kB): what fits still counts, the rest is never held.
  assert.deepEqual(Buffer.from(await read(`--B\r\nContent-Disposition: form-data; name="file"; x="${'y'.repeat(100_000)}"\r\n\r\nz\r\n--B--\r\n`)), enc('z'));
});

test('10^5 empty parts stop at the parts limit, and the body limit holds', async (t) => {
  const many = enc(`${'--B\r\nContent-Disposition: form-data; name="a"\r\n\r\n\r\n'.repeat(100_000)}--B--\r\n`);
  const t0 = performance.now();
  const err = await readFormFile(stream(many, 64 * 1024), 'multipart/form-data; boundary=B', 16 << 20).then(() => undefined, (e: unknown) => e);
  const ms = performance.now() - t0;
  assert.ok(err instanceof MultipartError && err.tooLarge, String(err));
  t.diagnostic(`10^5 parts (${(many.length / 1e6).toFixed(1)} MB) refused in ${ms.toFixed(0)} ms`);
  await assert.rejects(readFormFile(stream(enc(part('file', 'x'.repeat(5000)))), 'multipart/form-data; boundary=B', 4096), BodyTooLargeError);
});
