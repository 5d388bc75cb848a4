// The Train view's classes: cards the user names and drops photos into (files, or whole folders), each
// with its training photos and the photos set aside for the held-out accuracy. A folder whose subfolders
// are classes makes one card per subfolder. Photos are decoded and resized to the model's input as they
// arrive; those the browser cannot decode are named in a message and left out.

import { mapPool } from '../src/data/pool.ts';
import { dropZone, el } from './dom.ts';
import { type InputFormat, drawBytes, fileBytes } from './pixels.ts';

export interface Photo {
  name: string;
  /** [S, S, C] bytes at the model's input side. */
  bytes: Uint8Array;
}

export interface ClassEntry {
  name: string;
  train: Photo[];
  heldOut: Photo[];
}

type Split = 'train' | 'heldOut';
type Report = (message: string, error?: boolean) => void;

const THUMBS = 24;

/** Every file under the dropped entries, folders walked recursively. */
async function filesOf(entries: readonly FileSystemEntry[]): Promise<File[]> {
  const out: File[] = [];
  for (const entry of entries) {
    if (entry.isFile) out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    else if (entry.isDirectory) out.push(...(await filesOf(await children(entry as FileSystemDirectoryEntry))));
  }
  return out;
}

/** A folder's entries (readEntries hands them out in batches until an empty one). */
async function children(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader();
  const all: FileSystemEntry[] = [];
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all.sort((a, b) => (a.name < b.name ? -1 : 1));
    all.push(...batch);
  }
}

const droppedEntries = (e: DragEvent): FileSystemEntry[] =>
  Array.from(e.dataTransfer?.items ?? []).flatMap((item) => {
    const entry = item.webkitGetAsEntry();
    return entry ? [entry] : [];
  });


function fileInput(label: string, options: { folder?: boolean; className: string }, onFiles: (files: File[]) => void): HTMLLabelElement {
  const wrap = el('label', `picker ${options.className}`, label);
  const input = el('input');
  input.type = 'file';
  input.multiple = true;
  if (options.folder) input.webkitdirectory = true;
  else input.accept = 'image/*';
  input.addEventListener('change', () => {
    onFiles(Array.from(input.files ?? []));
    input.value = '';
  });
  wrap.append(input);
  return wrap;
}

export class ClassList {
  private readonly entries: { entry: ClassEntry; card: HTMLElement }[] = [];

  constructor(private readonly container: HTMLElement, private readonly format: () => InputFormat, private readonly report: Report) {}

  /** Named classes with their photos, in card order. */
  classes(): ClassEntry[] {
    return this.entries.map(({ entry }) => entry);
  }

  add(name = `class ${this.entries.length + 1}`): ClassEntry {
    const entry: ClassEntry = { name, train: [], heldOut: [] };
    const card = el('div', 'class-card');
    const title = el('input', 'class-name');
    title.value = name;
    title.setAttribute('aria-label', 'class name');
    title.addEventListener('input', () => (entry.name = title.value.trim()));
    const remove = el('button', 'remove', 'Remove');
    remove.type = 'button';
    remove.addEventListener('click', () => {
      card.remove();
      this.entries.splice(this.entries.findIndex((e) => e.entry === entry), 1);
    });
    const head = el('div', 'class-head');
    head.append(title, el('span', 'count'), remove);
    const zones = el('div', 'zones');
    for (const split of ['train', 'heldOut'] as const) {
      const zone = el('div', `zone ${split === 'train' ? 'train-zone' : 'held-out-zone'}`, split === 'train' ? 'Drop photos or folders' : 'Held out (optional)');
      dropZone(zone, (e) => void filesOf(droppedEntries(e)).then((files) => this.addFiles(entry, files, split)));
      zone.append(
        fileInput('files', { className: `${split === 'train' ? 'train' : 'held-out'}-files` }, (files) => void this.addFiles(entry, files, split)),
        fileInput('folder', { folder: true, className: `${split === 'train' ? 'train' : 'held-out'}-folder` }, (files) => void this.addFiles(entry, files, split)),
      );
      zones.append(zone);
    }
    card.append(head, zones, el('div', 'thumbs'));
    this.container.append(card);
    this.entries.push({ entry, card });
    this.refresh(entry);
    return entry;
  }

  /** Decodes `files` into the class; undecodable ones are reported by name. Resolves when all are in. */
  async addFiles(entry: ClassEntry, files: readonly File[], split: Split): Promise<void> {
    const format = this.format();
    const decoded = await mapPool(files, 4, async (file) => ({ name: file.webkitRelativePath || file.name, bytes: await fileBytes(file, format) }));
    const bad = decoded.filter((d) => !d.bytes).map((d) => d.name);
    entry[split].push(...decoded.flatMap((d) => (d.bytes ? [{ name: d.name, bytes: d.bytes }] : [])));
    if (bad.length > 0) {
      const shown = bad.slice(0, 5).join(', ') + (bad.length > 5 ? ` and ${bad.length - 5} more` : '');
      this.report(`${bad.length} file${bad.length === 1 ? ' is' : 's are'} not ${bad.length === 1 ? 'an image' : 'images'} this browser can decode, left out of "${entry.name}": ${shown}`, true);
    }
    this.refresh(entry);
  }

  /** A folder of class folders (from a folder input: files with relative paths `top/<class>/...`). */
  async addClassFolders(files: readonly File[]): Promise<void> {
    const byClass = new Map<string, File[]>();
    let loose = 0;
    for (const file of files) {
      const parts = file.webkitRelativePath.split('/');
      if (parts.length < 3) loose++;
      else byClass.set(parts[1]!, [...(byClass.get(parts[1]!) ?? []), file]);
    }
    if (loose > 0) this.report(`${loose} file${loose === 1 ? '' : 's'} outside the class folders left out (each subfolder is one class)`);
    if (byClass.size === 0) return this.report('that folder has no subfolders: drop a folder whose subfolders are the classes, or drop photos on a class', true);
    for (const [name, classFiles] of [...byClass].sort(([a], [b]) => (a < b ? -1 : 1))) await this.addFiles(this.named(name), classFiles, 'train');
  }

  /** Dropped folders: each subfolder of a dropped folder is a class (a folder without subfolders is one itself). */
  async dropClassFolders(dropped: readonly FileSystemEntry[]): Promise<void> {
    const dirs = dropped.filter((d): d is FileSystemDirectoryEntry => d.isDirectory);
    if (dirs.length < dropped.length) this.report('drop folders here; single photos go onto a class', true);
    for (const dir of dirs) {
      const kids = await children(dir);
      const sub = kids.filter((k): k is FileSystemDirectoryEntry => k.isDirectory);
      if (sub.length === 0) await this.addFiles(this.named(dir.name), await filesOf(kids), 'train');
      else for (const s of sub) await this.addFiles(this.named(s.name), await filesOf([s]), 'train');
    }
  }

  /** The drop zone for folders of classes. */
  bindFolderDrop(zone: HTMLElement): void {
    dropZone(zone, (e) => void this.dropClassFolders(droppedEntries(e)));
  }

  private named(name: string): ClassEntry {
    return this.entries.find((e) => e.entry.name === name)?.entry ?? this.add(name);
  }

  private refresh(entry: ClassEntry): void {
    const card = this.entries.find((e) => e.entry === entry)?.card;
    if (!card) return;
    card.querySelector('.count')!.textContent = `${entry.train.length} training · ${entry.heldOut.length} held out`;
    const thumbs = card.querySelector('.thumbs')!;
    const photos = [...entry.train.map((p) => ({ p, held: false })), ...entry.heldOut.map((p) => ({ p, held: true }))];
    thumbs.replaceChildren(
      ...photos.slice(0, THUMBS).map(({ p, held }) => {
        const c = el('canvas', held ? 'thumb held-out' : 'thumb');
        c.title = `${p.name}${held ? ' (held out)' : ''}`;
        drawBytes(c, p.bytes, this.format());
        return c;
      }),
      ...(photos.length > THUMBS ? [el('span', 'more', `+${photos.length - THUMBS}`)] : []),
    );
  }
}
