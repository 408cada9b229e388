import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { UserError } from '../base/index.js';
import { admit, blobPath, ensureCache, hasBlob, type CachePaths } from './cache.js';
import { discardPart, download, TransferError } from './download.js';
import type { ImageEntry } from './manifest.js';
import type { Progress } from './progress.js';
import { withPartLock } from './lock.js';

export type SyncAction = { image: ImageEntry; action: 'cached'; path: string } | { image: ImageEntry; action: 'fetch' } | { image: ImageEntry; action: 'unpinned' };

/** What a sync must do, from the manifest and what the cache holds (no transfers). */
export async function planSync(c: CachePaths, images: ImageEntry[]): Promise<SyncAction[]> {
  const plan: SyncAction[] = [];
  for (const image of images) {
    if (!image.sha256) plan.push({ image, action: 'unpinned' });
    else if (await hasBlob(c, image.sha256)) plan.push({ image, action: 'cached', path: blobPath(c, image.sha256) });
    else plan.push({ image, action: 'fetch' });
  }
  return plan;
}

/** Part files are keyed by the expected hash, or by the URL for unpinned images. */
export function partPath(c: CachePaths, image: ImageEntry): string {
  const key = image.sha256 ?? `url-${createHash('sha256').update(image.url).digest('hex').slice(0, 32)}`;
  return join(c.partial, `${key}.part`);
}

export interface FetchOptions {
  progress: Progress;
  /** Extra attempts after a cut transfer, each resuming where the last stopped. */
  retries: number;
  retryDelayMs: number;
  log(line: string): void;
}

export interface FetchResult {
  path: string;
  sha256: string;
  size: number;
  resumedFrom: number;
  attempts: number;
}

/**
 * Downloads one image and admits it to the cache only when its sha256 is the manifest's.
 * A mismatch deletes the download: nothing is cached. An unpinned image is downloaded and
 * hashed so the operator can pin it, but not cached.
 */
export async function fetchImage(c: CachePaths, image: ImageEntry, o: FetchOptions): Promise<FetchResult> {
  if (image.debian) {
    const d = image.debian;
    throw new UserError(
      'ERR_IMAGE_IMPORT_ONLY',
      `${image.name} is the file ${d.file} of the Debian package ${d.package} ${d.version}, which has no URL of its own, so \`images sync\` cannot fetch it`,
      `import it from the package: \`apt-get download ${d.package}=${d.version}\` (or fetch ${image.url}), \`dpkg -x ${d.package}_*.deb pkg\`, then \`builder images import pkg${d.file} --name ${image.name}\``,
    );
  }
  await ensureCache(c);
  const part = partPath(c, image);
  return withPartLock(part, image.name, () => fetchLocked(c, image, part, o));
}

async function fetchLocked(c: CachePaths, image: ImageEntry, part: string, o: FetchOptions): Promise<FetchResult> {
  let attempt = 0;
  for (;;) {
    attempt += 1;
    try {
      const r = await download({ url: image.url, part, label: image.name, progress: o.progress });
      if (!image.sha256) {
        await discardPart(part);
        throw new UserError(
          'ERR_IMAGE_NOT_PINNED',
          `${image.name} is not pinned: the manifest has no checksum for it, so it was not cached (the file downloaded from ${image.url} has sha256 ${r.sha256})`,
          `compare that hash with the publisher's, then add \`checksum: sha256:${r.sha256}\` under the image's source`,
        );
      }
      if (r.sha256 !== image.sha256) {
        await discardPart(part);
        throw new UserError(
          'ERR_IMAGE_CHECKSUM_MISMATCH',
          `sha256 mismatch for ${image.name} from ${image.url}: expected ${image.sha256}, got ${r.sha256}; the download was deleted and nothing was cached`,
          'check the URL and the checksum in the manifest (a re-published file has a new hash); if the manifest is right, the server or the network delivered something else',
        );
      }
      const path = await admit(c, part, { name: image.name, sha256: r.sha256, size: r.size, from: image.url, added: new Date().toISOString() });
      await discardPart(part);
      return { path, sha256: r.sha256, size: r.size, resumedFrom: r.resumedFrom, attempts: attempt };
    } catch (err) {
      if (err instanceof TransferError) {
        if (err.retryable && attempt <= o.retries) {
          o.log(`${image.name}: ${err.message}; retrying (${attempt}/${o.retries}) from byte ${err.have}\n`);
          await new Promise((r) => setTimeout(r, o.retryDelayMs));
          continue;
        }
        throw new UserError(
          'ERR_IMAGE_DOWNLOAD_FAILED',
          `${image.name}: ${err.message}`,
          !err.retryable
            ? 'check the URL in the manifest'
            : err.have === 0
              ? `nothing arrived: if this machine is offline, download ${image.url} on one that is online, carry it over and run \`builder images import FILE --name ${image.name}\`; once online, \`builder images sync ${image.name}\` fetches it`
              : `run \`builder images sync ${image.name}\` again: it resumes from byte ${err.have}; or, offline, \`builder images import FILE --name ${image.name}\` with a copy fetched elsewhere`,
        );
      }
      throw err;
    }
  }
}
