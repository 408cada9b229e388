import { rm, stat } from 'node:fs/promises';
import { UsageError, UserError, fsReason } from '../base/index.js';
import { admit, blobPath, copyHashed, ensureCache, fsyncFile, hasBlob, sweepDeadImports, type CachePaths } from './cache.js';
import type { ImageEntry } from './manifest.js';

export interface ImportResult {
  image: ImageEntry;
  path: string;
  sha256: string;
  alreadyCached: boolean;
}

/**
 * Adds a file obtained offline. It must hash to a pinned image of the manifest (the named one,
 * or any when no name is given); otherwise nothing is cached.
 */
export async function importFile(
  c: CachePaths,
  images: ImageEntry[],
  file: string,
  name: string | undefined,
  onBytes?: (n: number) => void,
  signal?: AbortSignal,
): Promise<ImportResult> {
  if (name !== undefined && !images.some((i) => i.name === name)) {
    throw new UserError('ERR_IMAGE_UNKNOWN', `no image named ${name} in the manifest`, `use one of: ${images.map((i) => i.name).join(', ')}`);
  }
  let st;
  try {
    st = await stat(file);
  } catch (err) {
    throw new UsageError('ERR_INPUT_UNREADABLE', `cannot read ${file}: ${fsReason(err)}`, 'pass the path of the downloaded image file', { cause: err });
  }
  // A device or FIFO (/dev/zero) never ends and matches nothing: refuse it before copying a byte.
  if (!st.isFile()) throw new UsageError('ERR_INPUT_NOT_REGULAR', `cannot import ${file}: it is not a regular file`, 'pass the path of the downloaded image file');
  await ensureCache(c);
  await sweepDeadImports(c);
  let copied: { tmp: string; sha256: string; size: number };
  try {
    copied = await copyHashed(c, file, onBytes, signal ? { signal } : {});
  } catch (err) {
    if (signal?.aborted) throw new UserError('ERR_INTERRUPTED', `images import of ${file} interrupted: nothing was cached and the partial copy was removed`, undefined, { kind: 'interrupted' });
    throw new UserError('ERR_INPUT_UNREADABLE', `cannot read ${file}: ${fsReason(err)}`, 'pass the path of the downloaded image file');
  }
  const candidates = images.filter((i) => (name === undefined || i.name === name) && i.sha256 !== undefined);
  const match = candidates.find((i) => i.sha256 === copied.sha256);
  if (!match) {
    await rm(copied.tmp, { force: true });
    const expected = name !== undefined ? images.find((i) => i.name === name)?.sha256 : undefined;
    throw new UserError(
      'ERR_IMAGE_CHECKSUM_MISMATCH',
      name !== undefined
        ? expected
          ? `sha256 mismatch importing ${file} as ${name}: expected ${expected}, got ${copied.sha256}; nothing was cached`
          : `${name} has no checksum in the manifest, so ${file} cannot be verified; nothing was cached (its sha256 is ${copied.sha256})`
        : `${file} (sha256 ${copied.sha256}) matches no pinned image of the manifest; nothing was cached`,
      name !== undefined && !expected ? `compare the hash with the publisher's and add \`checksum: sha256:${copied.sha256}\` to ${name}` : 'check that this is the file the manifest pins (sha256sum FILE) and that it is not truncated',
    );
  }
  if (await hasBlob(c, copied.sha256)) {
    await rm(copied.tmp, { force: true });
    return { image: match, path: blobPath(c, copied.sha256), sha256: copied.sha256, alreadyCached: true };
  }
  await fsyncFile(copied.tmp);
  const path = await admit(c, copied.tmp, { name: match.name, sha256: copied.sha256, size: copied.size, from: `file:${file}`, added: new Date().toISOString() });
  return { image: match, path, sha256: copied.sha256, alreadyCached: false };
}
