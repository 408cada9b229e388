import { resolve } from 'node:path';
import { LAB_DEFAULT } from './lab-context.js';
import type { Io } from '../base/index.js';
import { DEFAULT_LAB_FILE } from '../state/index.js';
import { cachePaths, defaultCacheDir, loadManifest, manifestPathFor, type CachePaths, type ImageManifest } from '../images/index.js';

/** The flags every `images` command takes. */
export const IMAGES_FLAGS = {
  lab: { type: 'string' },
  manifest: { type: 'string' },
  cache: { type: 'string' },
} as const;

export const IMAGES_FLAGS_HELP = `  --lab FILE       the lab file; its manifest is images.yaml beside it (default: ${LAB_DEFAULT})
  --manifest FILE  the image manifest (overrides --lab)
  --cache DIR      the cache directory (default $XDG_CACHE_HOME/lab-builder/images or ~/.cache/lab-builder/images)`;

export interface ImagesContext {
  manifest: ImageManifest;
  cache: CachePaths;
}

export async function imagesContext(values: { lab?: string; manifest?: string; cache?: string }, io: Io): Promise<ImagesContext> {
  const file = values.manifest ?? manifestPathFor(values.lab ?? DEFAULT_LAB_FILE, io.cwd);
  const manifest = await loadManifest(file, io.cwd);
  const cache = cachePaths(values.cache ? resolve(io.cwd, values.cache) : defaultCacheDir(io.env));
  return { manifest, cache };
}
