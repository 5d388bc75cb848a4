// Finds the classes and image files of an image-folder dataset, and splits them.
//
// Layouts:  root/train/<class>/**  +  root/test/<class>/**   (or val/ for test)
//           root/<class>/**                                    (split by ratio, stratified, seeded)
// Hidden entries (".DS_Store", ".git") are ignored. Files with unsupported extensions inside class
// folders are reported as skipped; image files directly in root (or train/) are an error, since
// their class is unknown.

import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { DatasetError, type SkippedFile } from './errors.ts';
import { mapPool } from './pool.ts';
import { Rng } from './rng.ts';

export const IMAGE_EXTENSIONS: readonly string[] = ['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif'];

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.includes(extname(path).toLowerCase());
}

export interface ClassFiles {
  name: string;
  /** Sorted absolute paths of candidate images (not yet decoded). */
  files: string[];
}

export interface FileStat {
  size: number;
  mtimeMs: number;
}

export interface FolderScan {
  layout: 'split-folders' | 'class-folders';
  classes: string[];
  train: ClassFiles[];
  /** Only for 'split-folders'; for 'class-folders' see splitByRatio. */
  test: ClassFiles[];
  /** Size and modification time of every candidate image (cache keys). */
  stats: Map<string, FileStat>;
  /** Unsupported or empty files found while scanning, by the folder tree they were found in. */
  skipped: { train: SkippedFile[]; test: SkippedFile[] };
}

async function listDir(dir: string): Promise<{ dirs: string[]; files: string[] }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    const missing = err instanceof Error && 'code' in err && err.code === 'ENOENT';
    throw new DatasetError(missing ? `dataset folder not found: ${dir}` : `cannot read folder ${dir}: ${String(err)}`);
  }
  const dirs: string[] = [];
  const files: string[] = [];
  for (const e of entries) {
    if (e.name.startsWith('.')) continue;
    if (e.isDirectory()) dirs.push(e.name);
    else if (e.isFile() || e.isSymbolicLink()) files.push(e.name);
  }
  return { dirs: dirs.sort(), files: files.sort() };
}

/** All files under dir (recursively), sorted, split into candidate images and skipped others. */
async function walkClass(dir: string, skipped: SkippedFile[], stats: Map<string, FileStat>): Promise<string[]> {
  const { dirs, files } = await listDir(dir);
  const out: string[] = [];
  const images: string[] = [];
  for (const f of files) {
    const path = join(dir, f);
    if (isImagePath(path)) images.push(path);
    else skipped.push({ path, reason: `not an image file (extension '${extname(f) || 'none'}')` });
  }
  // stat concurrently: one at a time costs ~3 s on CIFAR-10's 60,000 files.
  const sizes = await mapPool(images, 64, async (path) => stat(path));
  images.forEach((path, i) => {
    const st = sizes[i];
    if (st === undefined || st.size === 0) {
      skipped.push({ path, reason: 'empty file (0 bytes)' });
      return;
    }
    stats.set(path, { size: st.size, mtimeMs: st.mtimeMs });
    out.push(path);
  });
  for (const d of dirs) out.push(...(await walkClass(join(dir, d), skipped, stats)));
  return out;
}

function rejectRootImages(dir: string, files: readonly string[]): void {
  const images = files.filter(isImagePath);
  if (images.length > 0) {
    const shown = images.slice(0, 3).join(', ') + (images.length > 3 ? `, ... (${images.length} files)` : '');
    throw new DatasetError(`image files directly in ${dir} (${shown}): expected ${dir}/<class>/<image>, one folder per class`);
  }
}

async function scanClassFolders(dir: string, skipped: SkippedFile[], stats: Map<string, FileStat>, allowed?: readonly string[]): Promise<ClassFiles[]> {
  const { dirs, files } = await listDir(dir);
  rejectRootImages(dir, files);
  if (dirs.length === 0) throw new DatasetError(`no class folders in ${dir}: expected ${dir}/<class>/<image>`);
  const classes: ClassFiles[] = [];
  for (const name of dirs) {
    if (allowed !== undefined && !allowed.includes(name)) {
      throw new DatasetError(`class folder ${join(dir, name)} has no counterpart in the training classes (${allowed.join(', ')})`);
    }
    const files = await walkClass(join(dir, name), skipped, stats);
    if (files.length === 0) throw new DatasetError(`class folder ${join(dir, name)} holds no image files (${IMAGE_EXTENSIONS.join(' ')})`);
    classes.push({ name, files });
  }
  return classes;
}

export async function scanImageFolder(root: string): Promise<FolderScan> {
  const top = await listDir(root);
  const skipped: FolderScan['skipped'] = { train: [], test: [] };
  const stats = new Map<string, FileStat>();
  const testName = top.dirs.includes('test') ? 'test' : top.dirs.includes('val') ? 'val' : undefined;
  if (top.dirs.includes('train')) {
    if (testName === undefined) throw new DatasetError(`${root} has train/ but no test/ (or val/) folder; put the test split next to it or use root/<class>/ folders with a split ratio`);
    rejectRootImages(root, top.files);
    const train = await scanClassFolders(join(root, 'train'), skipped.train, stats);
    const classes = train.map((c) => c.name);
    if (classes.length < 2) throw new DatasetError(`only one class (${classes[0] ?? ''}) in ${join(root, 'train')}: classification needs at least 2 class folders`);
    const test = await scanClassFolders(join(root, testName), skipped.test, stats, classes);
    return { layout: 'split-folders', classes, train, test, stats, skipped };
  }
  const train = await scanClassFolders(root, skipped.train, stats);
  const classes = train.map((c) => c.name);
  if (classes.length < 2) throw new DatasetError(`only one class (${classes[0] ?? ''}) in ${root}: classification needs at least 2 class folders`);
  return { layout: 'class-folders', classes, train, test: [], stats, skipped };
}

/**
 * Stratified split of class-folder files: per class, a seeded shuffle puts round(n * (1 - trainRatio))
 * files in test (never all of them). The split depends on (seed, file names) only, never on which
 * files later fail to decode, so train and test never overlap.
 */
export function splitByRatio(classes: readonly ClassFiles[], trainRatio: number, seed: number): { train: ClassFiles[]; test: ClassFiles[] } {
  if (!(trainRatio > 0 && trainRatio <= 1)) throw new RangeError(`splitRatio must be in (0, 1], got ${trainRatio}`);
  const root = new Rng(seed);
  const train: ClassFiles[] = [];
  const test: ClassFiles[] = [];
  classes.forEach((c, ci) => {
    const order = root.fork(0x5b1170, ci).shuffle(c.files.map((_, i) => i));
    const nTest = Math.min(c.files.length - 1, Math.round(c.files.length * (1 - trainRatio)));
    const testIdx = new Set(order.slice(0, nTest));
    train.push({ name: c.name, files: c.files.filter((_, i) => !testIdx.has(i)) });
    test.push({ name: c.name, files: c.files.filter((_, i) => testIdx.has(i)) });
  });
  return { train, test };
}
