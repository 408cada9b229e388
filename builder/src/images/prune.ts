import { rm } from 'node:fs/promises';
import { listBlobs, listPartials, removeBlob, type CachePaths, type CachedBlob } from './cache.js';
import type { ImageEntry } from './manifest.js';

export interface PrunePlan {
  blobs: CachedBlob[];
  partials: { path: string; size: number }[];
  bytes: number;
}

/** Cached files no image of the manifest pins, and unfinished downloads (with `partials`). */
export async function planPrune(c: CachePaths, images: ImageEntry[], options: { partials: boolean }): Promise<PrunePlan> {
  const keep = new Set(images.map((i) => i.sha256).filter((s): s is string => s !== undefined));
  const blobs = (await listBlobs(c)).filter((b) => !keep.has(b.sha256));
  const partials = options.partials ? await listPartials(c) : [];
  const bytes = blobs.reduce((n, b) => n + b.size, 0) + partials.reduce((n, p) => n + p.size, 0);
  return { blobs, partials, bytes };
}

export async function applyPrune(c: CachePaths, plan: PrunePlan): Promise<void> {
  for (const b of plan.blobs) await removeBlob(c, b.sha256);
  for (const p of plan.partials) await rm(p.path, { force: true });
}
