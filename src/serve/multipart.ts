// A small multipart/form-data parser over a fully buffered body (RFC 7578). The server reads bodies
// into memory under a size limit anyway, so a streaming parser (busboy) would buy nothing here and
// cost a dependency.

export interface FormPart {
  name: string;
  filename: string | undefined;
  contentType: string | undefined;
  data: Uint8Array;
}

export class MultipartError extends Error {
  override name = 'MultipartError';
}

/** The boundary parameter of a multipart Content-Type, or undefined for other types. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\s*(;|$)/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!boundary || boundary.length > 70) throw new MultipartError('multipart body without a valid boundary parameter');
  return boundary;
}

function headerParam(header: string, param: string): string | undefined {
  const m = new RegExp(`;\\s*${param}="([^"]*)"|;\\s*${param}=([^;\\s]+)`, 'i').exec(header);
  return m?.[1] ?? m?.[2];
}

export function parseMultipart(body: Uint8Array, boundary: string): FormPart[] {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = buf.indexOf(delimiter);
  if (pos < 0) throw new MultipartError('multipart body has no boundary line');
  for (;;) {
    pos += delimiter.length;
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) return parts; // closing "--boundary--"
    if (buf[pos] !== 0x0d || buf[pos + 1] !== 0x0a) throw new MultipartError('malformed boundary line');
    const headerEnd = buf.indexOf('\r\n\r\n', pos + 2);
    if (headerEnd < 0) throw new MultipartError('part headers are not terminated');
    const headers = new Map<string, string>();
    for (const line of buf.subarray(pos + 2, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) throw new MultipartError(`malformed part header "${line.slice(0, 40)}"`);
      headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) throw new MultipartError('multipart body is truncated (no closing boundary)');
    const disposition = headers.get('content-disposition') ?? '';
    const name = headerParam(disposition, 'name');
    if (!/^form-data/i.test(disposition) || name === undefined) throw new MultipartError('part without a form-data name');
    parts.push({ name, filename: headerParam(disposition, 'filename'), contentType: headers.get('content-type'), data: new Uint8Array(buf.subarray(headerEnd + 4, next)) });
    pos = next + 2;
  }
}
