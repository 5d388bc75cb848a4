// The browser demo's server: an allow-list, not a folder. `/` and the page's own files from the built
// page (web/dist), and at `/model/` only model.json, model.onnx and model.embed.onnx of the model
// folder, so `web --model artifacts/runs/<name>` never hands out checkpoints, configs or metrics. A
// file that resolves (through symlinks) outside its folder is refused.
//
// Files go out through `send` (streaming, ETag / Last-Modified, 304 on revalidation: a reload does not
// fetch the 12 MB WASM runtime or the model again, Range, HEAD) with the cross-origin isolation headers
// onnxruntime-web needs for WASM threads, and `application/wasm` so browsers compile while it streams.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import send from 'send';
import { EMBEDDING_FILE, MODEL_FILE, SIDECAR_FILE } from '../export/export_model.ts';
import { createHttpService, HttpError, requestUrl, type HttpLimits, type HttpService } from './http_service.ts';

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

export const MODEL_FILES = [SIDECAR_FILE, MODEL_FILE, EMBEDDING_FILE] as const;

export interface StaticServerOptions extends HttpLimits {
  /** Folder of the built page, served at `/` (index.html for `/`). */
  root: string;
  /** The page's own files, relative to `root` (web/build.ts: PAGE_FILES); nothing else there is served. */
  pageFiles: readonly string[];
  /** Exported model folder: MODEL_FILES are served at `/model/`. */
  modelDir: string;
  /** Where refused symlinks and internal errors are reported (default: nowhere). */
  log?: (line: string) => void;
}

interface Entry {
  dir: string;
  name: string;
}

/** The real path of `name` in `dir`, or undefined when it does not exist or resolves outside `dir`. */
async function realFileUnder(entry: Entry, log: ((line: string) => void) | undefined): Promise<string | undefined> {
  let dir: string;
  let file: string;
  try {
    [dir, file] = await Promise.all([realpath(entry.dir), realpath(join(entry.dir, entry.name))]);
  } catch {
    return undefined;
  }
  if (file.startsWith(dir + sep)) return file;
  log?.(`refusing ${entry.name}: it resolves to ${file}, outside ${dir}`);
  return undefined;
}

function sendFile(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
  res.setHeader('content-type', MIME[extname(path)] ?? 'application/octet-stream');
  res.setHeader('cache-control', 'no-cache'); // revalidate (a 304 when unchanged): a re-exported model shows at once
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  res.setHeader('cross-origin-embedder-policy', 'require-corp');
  res.setHeader('x-content-type-options', 'nosniff');
  return new Promise((resolve, reject) => {
    res.once('close', resolve);
    send(req, path, { etag: true, lastModified: true, cacheControl: false, index: false, dotfiles: 'allow' })
      .on('error', (err: { status?: number; message?: string }) => {
        reject(err.status === 404 ? new HttpError(404, 'not_found', 'not found') : new HttpError(err.status ?? 500, 'file_error', err.message ?? 'cannot send the file'));
      })
      .pipe(res);
  });
}

export function createStaticServer(options: StaticServerOptions): HttpService {
  const routes = new Map<string, Entry>([
    ['/', { dir: options.root, name: 'index.html' }],
    ...options.pageFiles.map((name): [string, Entry] => [`/${name}`, { dir: options.root, name }]),
    ...MODEL_FILES.map((name): [string, Entry] => [`/model/${name}`, { dir: options.modelDir, name }]),
  ]);
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const { path } = requestUrl(req);
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method_not_allowed', `${req.method} is not allowed; use GET or HEAD`, { allow: 'GET, HEAD' });
    const entry = routes.get(path);
    const file = entry && (await realFileUnder(entry, options.log));
    if (!file) throw new HttpError(404, 'not_found', `${path.slice(0, 100)} is not one of the files this demo serves`);
    await sendFile(req, res, file);
  };
  return createHttpService(handle, options, options.log);
}
