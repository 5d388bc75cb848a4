// Writes a file so that a reader (or a resumed run after SIGKILL) sees either the old or the new
// content, never a torn one: write a sibling temp file, fsync it, rename over the target, fsync the folder.
// A write that fails removes its temp file (a full disk stays no fuller); temp files of killed writers
// carry their pid after TEMP_MARKER, so the next run can tell them from a live writer's (run_folder.ts).

import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export const TEMP_MARKER = '.tmp-';

export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}${TEMP_MARKER}${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = openSync(dirname(path), 'r');
  try {
    fsyncSync(dirFd);
  } finally {
    closeSync(dirFd);
  }
}
