// multipart/form-data uploads, parsed while they stream in by busboy (@fastify/busboy): only the file
// part named `file` is kept, every other part is discarded as it passes, and parts, part headers and
// the body are capped, so a form of 10^5 empty parts costs the server 16 parts' work, not 10^5.

import { Busboy, type BusboyInstance } from '@fastify/busboy';
import type { Readable } from 'node:stream';
import { messageOf } from '../runtime/ep_error.ts';
import { BodyTooLargeError } from './body.ts';

export class MultipartError extends Error {
  override name = 'MultipartError';
  /** tooLarge: the form passes a limit (a 413), otherwise it is malformed (a 400). */
  constructor(message: string, readonly tooLarge = false) {
    super(message);
  }
}

/** A real upload is the file and a few fields. headerSize: bytes of one part's headers (more are cut). */
export const FORM_LIMITS = { parts: 16, fieldSize: 64 * 1024, fieldNameSize: 200, headerPairs: 16, headerSize: 8 * 1024 } as const;

export const isFormData = (contentType: string | undefined): boolean => /^multipart\/form-data\s*(;|$)/i.test(contentType ?? '');

/**
 * The bytes of the `field` part of a multipart/form-data `body`. Rejects with MultipartError (malformed,
 * no such part, over FORM_LIMITS) or BodyTooLargeError (over `maxBytes`); the rest of the body is drained.
 */
export function readFormFile(body: Readable, contentType: string, maxBytes: number, field = 'file'): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let parser: BusboyInstance;
    try {
      // isPartAFile: the field is bytes even when the client sent no filename.
      parser = Busboy({ headers: { 'content-type': contentType }, limits: { ...FORM_LIMITS, fileSize: maxBytes }, isPartAFile: (name) => name === field });
    } catch (err) {
      body.resume();
      reject(new MultipartError(`bad multipart Content-Type: ${messageOf(err)}`));
      return;
    }
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      body.unpipe(parser);
      body.resume();
      reject(err);
    };
    let file: Uint8Array | undefined;
    let seen = false;
    let received = 0;
    body.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBytes) fail(new BodyTooLargeError(maxBytes));
    });
    body.once('close', () => {
      if (!body.readableEnded) fail(new Error('the client closed the connection before the body was complete'));
    });
    parser.on('file', (name, stream) => {
      stream.on('error', (err: unknown) => fail(new MultipartError(`malformed multipart body: ${messageOf(err)}`)));
      if (name !== field || seen) return void stream.resume();
      seen = true;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (file = new Uint8Array(Buffer.concat(chunks))));
    });
    parser.on('partsLimit', () => fail(new MultipartError(`the form has more than ${FORM_LIMITS.parts} parts`, true)));
    parser.on('error', (err: unknown) => fail(new MultipartError(`malformed multipart body: ${messageOf(err)}`)));
    parser.on('finish', () => {
      if (settled) return;
      settled = true;
      if (file) resolve(file);
      else reject(new MultipartError(`the form has no "${field}" part`));
    });
    body.pipe(parser);
  });
}
