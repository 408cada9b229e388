import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { writeFileAtomic } from '../state/index.js';
import { isSha256 } from './hash.js';
import { alive } from './lock.js';

/**
 * The content-addressed image cache. A file enters `sha256/<hex>` only after its hash was checked,
 * by a rename within the cache directory, so a reader never sees a partial or wrong file there.
 *
 *   <root>/sha256/<hex>          verified files, read-only
 *   <root>/origins/<hex>.json    where each came from (name, url or imported path, when)
 *   <root>/partial/<key>.part    downloads in progress (+ .json: url and validators for resume)
 */

export interface CachePaths {
  root: string;
  blobs: string;
  origins: string;
  partial: string;
}

/** `$XDG_CACHE_HOME/lab-builder/images`, else `~/.cache/lab-builder/images`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CACHE_HOME;
  const base = xdg && xdg.startsWith('/') ? xdg : join(env.HOME ?? homedir(), '.cache');
  return join(base, 'lab-builder', 'images');
}

export function cachePaths(root: string): CachePaths {
  return { root, blobs: join(root, 'sha256'), origins: join(root, 'origins'), partial: join(root, 'partial') };
}

export async function ensureCache(c: CachePaths): Promise<void> {
  await mkdir(c.blobs, { recursive: true });
  await mkdir(c.origins, { recursive: true });
  await mkdir(c.partial, { recursive: true });
}

export const blobPath = (c: CachePaths, sha256: string) => join(c.blobs, sha256);

export interface Origin {
  name: string;
  sha256: string;
  size: number;
  /** The URL it was downloaded from, or `file:` + the imported path. */
  from: string;
  added: string;
  /** The file as it was when its hash was last checked (admitted, or `images verify`). */
  stamp?: Stamp;
}

/**
 * What a file's inode says about it: a hash checked earlier still holds while size, mtime, ctime
 * and inode are unchanged (any write or chmod moves ctime, which no tool can set back). make-usb
 * trusts it instead of rehashing the base; `images verify` always rehashes.
 */
export interface Stamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export async function stampOf(path: string): Promise<Stamp> {
  const s = await stat(path);
  return { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino };
}

export const sameStamp = (a: Stamp | undefined, b: Stamp) => a !== undefined && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;

/** Records that the cached file was just hashed and found right. */
export async function restamp(c: CachePaths, origin: Origin): Promise<void> {
  const stamp = await stampOf(blobPath(c, origin.sha256));
  await writeFileAtomic(join(c.origins, `${origin.sha256}.json`), `${JSON.stringify({ ...origin, stamp }, null, 2)}\n`);
}

export async function hasBlob(c: CachePaths, sha256: string): Promise<boolean> {
  try {
    return (await stat(blobPath(c, sha256))).isFile();
  } catch {
    return false;
  }
}

/** Moves a checked file into the cache (same filesystem: the part directory is inside it). */
export async function admit(c: CachePaths, file: string, origin: Origin): Promise<string> {
  const dest = blobPath(c, origin.sha256);
  await chmod(file, 0o444);
  await rename(file, dest);
  await restamp(c, origin);
  return dest;
}

export async function readOrigin(c: CachePaths, sha256: string): Promise<Origin | undefined> {
  try {
    return JSON.parse(await readFile(join(c.origins, `${sha256}.json`), 'utf8')) as Origin;
  } catch {
    return undefined;
  }
}

export interface CachedBlob {
  sha256: string;
  path: string;
  size: number;
  origin?: Origin;
}

export async function listBlobs(c: CachePaths): Promise<CachedBlob[]> {
  let names: string[];
  try {
    names = await readdir(c.blobs);
  } catch {
    return [];
  }
  const out: CachedBlob[] = [];
  for (const n of names.filter(isSha256).sort()) {
    const path = blobPath(c, n);
    const blob: CachedBlob = { sha256: n, path, size: (await stat(path)).size };
    const origin = await readOrigin(c, n);
    if (origin) blob.origin = origin;
    out.push(blob);
  }
  return out;
}

export async function listPartials(c: CachePaths): Promise<{ path: string; size: number }[]> {
  let names: string[];
  try {
    names = await readdir(c.partial);
  } catch {
    return [];
  }
  const out = [];
  for (const n of names.sort()) out.push({ path: join(c.partial, n), size: (await stat(join(c.partial, n))).size });
  return out;
}

export async function removeBlob(c: CachePaths, sha256: string): Promise<void> {
  await rm(blobPath(c, sha256), { force: true });
  await rm(join(c.origins, `${sha256}.json`), { force: true });
}

const IMPORT_TMP = /^import-(\d+)-\d+\.tmp$/;

/**
 * Removes import copies left by a builder that no longer runs (killed mid-import, so its own
 * clean-up never ran); copies of a live process are left alone.
 */
export async function sweepDeadImports(c: CachePaths): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(c.partial);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const n of names) {
    const pid = Number(IMPORT_TMP.exec(n)?.[1]);
    if (!pid || alive(pid)) continue;
    await rm(join(c.partial, n), { force: true });
    removed.push(n);
  }
  return removed;
}


/**
 * Copies a file into the part directory while hashing it; returns the temp path and hash. Stops
 * (and removes the copy) when `signal` aborts.
 */
export async function copyHashed(
  c: CachePaths,
  source: string,
  onBytes?: (done: number) => void,
  opts: { signal?: AbortSignal } = {},
): Promise<{ tmp: string; sha256: string; size: number }> {
  const tmp = join(c.partial, `import-${process.pid}-${Date.now()}.tmp`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      hash.update(chunk);
      size += chunk.length;
      onBytes?.(size);
      cb(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), meter, createWriteStream(tmp, { flags: 'wx' }), opts.signal ? { signal: opts.signal } : {});
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  return { tmp, sha256: hash.digest('hex'), size };
}

export async function fsyncFile(path: string): Promise<void> {
  const { open } = await import('node:fs/promises');
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
