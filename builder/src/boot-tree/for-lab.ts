import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DEFAULT_LOADERS, type Lab } from '@lab/shared';
import { cachePaths, defaultCacheDir, loadManifest, manifestPathFor, sha256File, type ImageManifest } from '../images/index.js';
import { pxeBase } from '../render/index.js';
import { resolveBootTree, type BootAsset } from './resolve.js';
import { isNamingFile } from './scan.js';
import { createHash } from 'node:crypto';

/** A file of the served tree: in memory (render) or on disk (make-usb). */
export interface TreeFile {
  path: string;
  content?: string;
  src?: string;
}

export interface LabBootTreeOptions {
  lab: Lab;
  labFile: string;
  /** Image manifest (default: images.yaml beside the lab file). */
  manifest?: string;
  cache?: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  tree: TreeFile[];
}

const textOf = async (f: TreeFile) => f.content ?? (await readFile(f.src!, 'utf8'));

/**
 * The boot tree of a lab's PXE service: the files of `tree` plus what the image cache must add
 * (empty when the lab has no PXE service). The gateway agent's DHCP names the default loaders
 * (its agent.yaml sets none). A lab without images.yaml has no image to take assets from.
 */
export async function labBootTree(o: LabBootTreeOptions): Promise<BootAsset[]> {
  const base = pxeBase(o.lab);
  if (!base) return [];
  const file = o.manifest ? resolve(o.cwd, o.manifest) : manifestPathFor(o.labFile, o.cwd);
  const manifest: ImageManifest = o.manifest || existsSync(file) ? await loadManifest(file, o.cwd) : { file: `${file} (no such file)`, images: [] };
  const byPath = new Map(o.tree.map((f) => [f.path, f]));
  const served = await Promise.all(o.tree.filter((f) => isNamingFile(f.path)).map(async (f) => ({ path: f.path, text: await textOf(f) })));
  return resolveBootTree({
    tree: new Set(byPath.keys()),
    served,
    base,
    loaders: DEFAULT_LOADERS,
    manifest,
    cache: cachePaths(o.cache ? resolve(o.cwd, o.cache) : defaultCacheDir(o.env)),
    treeSha256: async (path) => {
      const f = byPath.get(path)!;
      return f.content !== undefined ? createHash('sha256').update(f.content).digest('hex') : sha256File(f.src!);
    },
  });
}
