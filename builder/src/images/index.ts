/**
 * The image cache's public face. Other areas (make-usb, render) call `resolveImage` to get a
 * verified local file by its manifest name.
 */
import { resolve } from 'node:path';
import { UserError } from '../base/index.js';
import { blobPath, cachePaths, defaultCacheDir, hasBlob, readOrigin, restamp, sameStamp, stampOf, type CachePaths } from './cache.js';
import { sha256File } from './hash.js';
import { loadManifest, manifestPathFor } from './load.js';
import type { ImageEntry, ImageManifest } from './manifest.js';

export { cachePaths, defaultCacheDir, type CachePaths } from './cache.js';
export { loadManifest, manifestPathFor, MANIFEST_FILE } from './load.js';
export { parseManifest, debianPoolUrl, type ImageEntry, type ImageManifest } from './manifest.js';
export { schematicId, canonicalSchematic, factoryImageUrl, type Schematic, type Customization } from './schematic.js';
export { sha256File } from './hash.js';

export interface ResolvedImage {
  name: string;
  /** The verified file in the cache (read-only; copy or stream it, never modify it). */
  path: string;
  sha256: string;
  url: string;
  type: 'iso' | 'file';
  /** The file's stamp is the one recorded when its hash was last checked: no need to rehash. */
  hashUnchanged: boolean;
}

export interface ResolveOptions {
  /** The lab file; its manifest is `<lab dir>/images.yaml` unless `manifest` is given. */
  lab?: string;
  manifest?: string;
  /** Cache directory (default: XDG cache, see defaultCacheDir). */
  cache?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The manifest entry by name, from an already loaded manifest. */
export function findImage(manifest: ImageManifest, name: string): ImageEntry {
  const image = manifest.images.find((i) => i.name === name);
  if (!image) throw new UserError('ERR_IMAGE_UNKNOWN', `no image named ${name} in ${manifest.file}`, `add it, or use one of: ${manifest.images.map((i) => i.name).join(', ')}`);
  return image;
}

/**
 * Resolves an image by name to its cached file. Throws a UserError when the image is not in the
 * manifest, is not pinned by sha256, or is not cached yet (saying which command fetches it).
 */
export async function resolveImage(name: string, o: ResolveOptions): Promise<ResolvedImage> {
  const file = o.manifest ?? manifestPathFor(o.lab ?? 'examples/genesis/lab.yaml', o.cwd);
  const manifest = await loadManifest(file, o.cwd);
  const image = findImage(manifest, name);
  if (!image.sha256) throw new UserError('ERR_IMAGE_NOT_PINNED', `image ${name} has no checksum in ${manifest.file}, so it cannot be used`, 'pin it: add checksum: sha256:<hex> under its source');
  const c = cachePaths(o.cache ? resolve(o.cwd, o.cache) : defaultCacheDir(o.env));
  if (!(await hasBlob(c, image.sha256))) {
    throw new UserError('ERR_IMAGE_NOT_CACHED', `image ${name} (sha256 ${image.sha256.slice(0, 12)}…) is not in the cache ${c.root}`, `run \`builder images sync\` (or \`builder images import FILE\` with a file fetched elsewhere)`);
  }
  const path = blobPath(c, image.sha256);
  const trusted = sameStamp((await readOrigin(c, image.sha256))?.stamp, await stampOf(path));
  return { name, path, sha256: image.sha256, url: image.url, type: image.type, hashUnchanged: trusted };
}

export type CachedCheck = { state: 'missing' } | { state: 'ok'; path: string; size: number } | { state: 'mismatch'; path: string; actual: string };

/**
 * Whether the cache holds the file with this hash, and still intact: trusted without rehashing
 * while its stat stamp is the one recorded at its last check (see cache.ts), rehashed otherwise
 * (and stamped again when right).
 */
export async function checkCached(c: CachePaths, sha256: string): Promise<CachedCheck> {
  if (!(await hasBlob(c, sha256))) return { state: 'missing' };
  const path = blobPath(c, sha256);
  const stamp = await stampOf(path);
  const origin = await readOrigin(c, sha256);
  if (sameStamp(origin?.stamp, stamp)) return { state: 'ok', path, size: stamp.size };
  const actual = await sha256File(path);
  if (actual !== sha256) return { state: 'mismatch', path, actual };
  if (origin) await restamp(c, origin);
  return { state: 'ok', path, size: stamp.size };
}
