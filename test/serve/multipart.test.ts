import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MultipartError, multipartBoundary, parseMultipart } from '../../src/serve/multipart.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

test('boundary: plain, quoted, absent for other types, rejected when missing', () => {
  assert.equal(multipartBoundary('multipart/form-data; boundary=abc123'), 'abc123');
  assert.equal(multipartBoundary('Multipart/Form-Data; charset=utf-8; boundary="a b:c"'), 'a b:c');
  assert.equal(multipartBoundary('image/png'), undefined);
  assert.equal(multipartBoundary(undefined), undefined);
  assert.throws(() => multipartBoundary('multipart/form-data'), MultipartError);
});

test('parts keep binary data exactly, including CRLF and dashes inside', () => {
  const payload = '\r\n--not-the-boundary\r\n\x00\xff';
  const body = enc(
    'preamble\r\n--B\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n' +
      `--B\r\nContent-Disposition: form-data; name="file"; filename="x.png"\r\nContent-Type: image/png\r\n\r\n${payload}\r\n--B--\r\n`,
  );
  const parts = parseMultipart(body, 'B');
  assert.deepEqual(parts.map((p) => [p.name, p.filename, p.contentType]), [['note', undefined, undefined], ['file', 'x.png', 'image/png']]);
  assert.deepEqual(parts[1]!.data, enc(payload));
});

test('malformed bodies throw MultipartError', () => {
  for (const bad of ['no delimiter', '--B\r\nContent-Disposition: form-data; name="f"\r\n\r\ntruncated', '--B\r\nno colon header\r\n\r\nx\r\n--B--', '--B\r\nContent-Type: text/plain\r\n\r\nx\r\n--B--', '--Bjunk']) {
    assert.throws(() => parseMultipart(enc(bad), 'B'), MultipartError, bad);
  }
});
