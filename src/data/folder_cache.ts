// Cache of decoded image-folder pixels. Decoding is bounded by sharp's per-call cost (~0.5 ms for a
// 32x32 JPEG on this machine, so ~30-45 s for CIFAR-10's 50,000 training files on 2 cores); the
// cache turns later loads into one file read.
//
// Key: sha256 of (format version, decode size and channels, every candidate file's absolute path,
// byte size and mtime), so any added, removed or edited file misses. File layout:
//   u32 magic "IFC1" | u32 json length | json {count, per, skipped: [index, reason][]} | pixels
// where pixels are [count - skipped, per] uint8 in candidate order. Written to a temp file and
// renamed, so a reader never sees half a cache.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedBytes } from './dataset.ts';
import type { FileStat } from './folder_scan.ts';

const MAGIC = 0x31434649; // "IFC1" little-endian
const FORMAT = 1;

export interface DecodedFolder {
  /** [kept, per] uint8, shared memory */
  pixels: Uint8Array;
  /** candidate index -> reason it failed to decode */
  failed: Map<number, string>;
}

export function folderCacheKey(paths: readonly string[], stats: ReadonlyMap<string, FileStat>, size: number, channels: number): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ FORMAT, size, channels, n: paths.length }));
  for (const p of paths) {
    const st = stats.get(p);
    h.update(`\n${p}\t${st?.size ?? -1}\t${st?.mtimeMs ?? -1}`);
  }
  return h.digest('hex').slice(0, 32);
}

function cachePath(dir: string, key: string): string {
  return join(dir, `folder-${key}.u8`);
}

export async function readFolderCache(dir: string, key: string, count: number, per: number): Promise<DecodedFolder | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(cachePath(dir, key));
  } catch {
    return undefined;
  }
  if (bytes.length < 8) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0, true) !== MAGIC) return undefined;
  const jsonLen = view.getUint32(4, true);
  let meta: unknown;
  try {
    meta = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + jsonLen)));
  } catch {
    return undefined;
  }
  if (typeof meta !== 'object' || meta === null || !('count' in meta) || !('per' in meta) || !('skipped' in meta)) return undefined;
  if (meta.count !== count || meta.per !== per || !Array.isArray(meta.skipped)) return undefined;
  const failed = new Map<number, string>();
  for (const entry of meta.skipped) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'number' || typeof entry[1] !== 'string') return undefined;
    failed.set(entry[0], entry[1]);
  }
  const body = bytes.subarray(8 + jsonLen);
  if (body.length !== (count - failed.size) * per) return undefined;
  const pixels = sharedBytes(body.length);
  pixels.set(body);
  return { pixels, failed };
}

/** Best effort: a cache that cannot be written only costs time next run. */
export async function writeFolderCache(dir: string, key: string, count: number, per: number, decoded: DecodedFolder): Promise<string | undefined> {
  const path = cachePath(dir, key);
  try {
    const json = new TextEncoder().encode(JSON.stringify({ count, per, skipped: [...decoded.failed.entries()] }));
    const out = new Uint8Array(8 + json.length + decoded.pixels.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, json.length, true);
    out.set(json, 8);
    out.set(decoded.pixels, 8 + json.length);
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    await writeFile(tmp, out);
    await rename(tmp, path);
    return undefined;
  } catch (err) {
    return `could not write decode cache ${path}: ${String(err)}`;
  }
}
