import { listBlobs, type CachePaths } from './cache.js';
import type { Hook, ImageEntry } from './manifest.js';

export interface ListRow {
  name: string;
  type: 'iso' | 'file';
  url: string;
  sha256?: string;
  state: 'cached' | 'missing' | 'unpinned';
  path?: string;
  size?: number;
  schematicId?: string;
  destination?: string;
  /** Path under the PXE root (the boot tree). */
  serve?: string;
  /** A Debian package file: import only. */
  debian?: { package: string; version: string; file: string };
  hooks: { kind: string; hook: Hook }[];
}

export interface ListResult {
  images: ListRow[];
  /** Cached files no image of the manifest pins (what `prune` removes). */
  unreferenced: { sha256: string; size: number; name?: string }[];
}

export async function listImages(c: CachePaths, images: ImageEntry[]): Promise<ListResult> {
  const blobs = await listBlobs(c);
  const bySha = new Map(blobs.map((b) => [b.sha256, b]));
  const rows = images.map((i): ListRow => {
    const blob = i.sha256 ? bySha.get(i.sha256) : undefined;
    const row: ListRow = {
      name: i.name,
      type: i.type,
      url: i.url,
      state: !i.sha256 ? 'unpinned' : blob ? 'cached' : 'missing',
      hooks: Object.entries(i.hooks).flatMap(([kind, hooks]) => hooks.map((hook) => ({ kind, hook }))),
    };
    if (i.sha256) row.sha256 = i.sha256;
    if (blob) {
      row.path = blob.path;
      row.size = blob.size;
    }
    if (i.schematicId) row.schematicId = i.schematicId;
    if (i.destination) row.destination = i.destination;
    if (i.serve) row.serve = i.serve;
    if (i.debian) row.debian = { package: i.debian.package, version: i.debian.version, file: i.debian.file };
    return row;
  });
  const pinned = new Set(images.map((i) => i.sha256));
  const unreferenced = blobs
    .filter((b) => !pinned.has(b.sha256))
    .map((b) => {
      const u: { sha256: string; size: number; name?: string } = { sha256: b.sha256, size: b.size };
      if (b.origin?.name) u.name = b.origin.name;
      return u;
    });
  return { images: rows, unreferenced };
}
