// The ESP image appended to a Talos ISO as GPT partition 2: copied out of the ISO as a byte
// range, read with mtools, and rebuilt (same label and serial, fixed timestamps) with a new UKI.
import { createReadStream, createWriteStream } from 'node:fs';
import { open, readdir, stat, truncate, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ToolError } from './tools/run.js';
import * as mtools from './tools/mtools.js';

/** Copies bytes [start, end) of `file` to `dest`, streaming. */
export async function copyRange(file: string, start: number, end: number, dest: string): Promise<void> {
  await pipeline(createReadStream(file, { start, end: end - 1, highWaterMark: 1 << 20 }), createWriteStream(dest));
}

export interface EspListing {
  files: string[];
  dirs: string[];
  /** EFI/Linux/*.efi: the UKIs systemd-boot finds by itself. */
  ukis: string[];
  hasRemovableLoader: boolean;
}

export async function listEsp(image: string): Promise<EspListing> {
  const all = await mtools.listFiles(image);
  const dirs = all.filter((p) => p.endsWith('/')).map((p) => p.slice(0, -1));
  const files = all.filter((p) => !p.endsWith('/'));
  return {
    files,
    dirs,
    ukis: files.filter((f) => /^\/EFI\/Linux\/[^/]+\.efi$/i.test(f)),
    hasRemovableLoader: files.some((f) => f.toUpperCase() === '/EFI/BOOT/BOOTX64.EFI'),
  };
}

async function walk(root: string, rel = ''): Promise<{ dirs: string[]; files: string[] }> {
  const out = { dirs: [] as string[], files: [] as string[] };
  const entries = (await readdir(join(root, rel), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const p = `${rel}/${e.name}`;
    if (e.isDirectory()) {
      out.dirs.push(p);
      const sub = await walk(root, p);
      out.dirs.push(...sub.dirs);
      out.files.push(...sub.files);
    } else out.files.push(p);
  }
  return out;
}

/**
 * Writes a new ESP image: the old tree with `replace` (ESP path → file on disk) applied. The size
 * stays the old one when everything fits, else grows to fit with 2 MiB to spare.
 */
export async function rebuildEsp(opts: { original: string; tree: string; replace: Map<string, string>; out: string; epoch: number }): Promise<void> {
  const info = await mtools.volumeInfo(opts.original);
  const { dirs, files } = await walk(opts.tree);
  let bytes = 0;
  const sources = files.map((path) => ({ path, src: opts.replace.get(path) ?? join(opts.tree, path) }));
  for (const f of sources) {
    bytes += (await stat(f.src)).size;
    await utimes(f.src, opts.epoch, opts.epoch);
  }
  const originalSize = (await stat(opts.original)).size;
  // FAT overhead: allocation tables, directories, cluster slack — 1/16 plus 2 MiB is generous.
  const needed = Math.ceil((bytes + bytes / 16 + (2 << 20)) / (1 << 20)) * (1 << 20);
  const size = Math.max(originalSize, needed);
  const fh = await open(opts.out, 'w');
  await fh.close();
  await truncate(opts.out, size);
  await mtools.format(opts.out, { sectors: size / 512, label: info.label, serial: info.serial, epoch: opts.epoch });
  await mtools.putTree(opts.out, dirs, sources, opts.epoch);
}

/**
 * Puts `file` at `path` inside the FAT image itself, keeping everything else as it was; false when
 * it does not fit. `mcopy -o` frees the old file's clusters before writing, so on "Disk full" the
 * old file is gone and the image must be thrown away.
 */
export async function replaceFileInPlace(image: string, path: string, file: string, epoch: number): Promise<boolean> {
  await utimes(file, epoch, epoch);
  try {
    await mtools.putTree(image, [], [{ src: file, path }], epoch);
    return true;
  } catch (err) {
    if (err instanceof ToolError && /disk full/i.test(err.stderr)) return false;
    throw err;
  }
}
