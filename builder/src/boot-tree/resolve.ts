import { UserError } from '../base/index.js';
import { checkCached, type CachePaths, type ImageManifest } from '../images/index.js';
import { missingLine, planBootTree, type Source } from './plan.js';
import { namedFiles, type ServedText } from './scan.js';

/** A boot-tree file taken from the image cache: served at `path`, read from `src` (read-only). */
export interface BootAsset {
  path: string;
  src: string;
  sha256: string;
  size: number;
  image: string;
}

export interface BootTreeInput {
  /** Every file of the tree already there (rendered, or --pxe-root), by path under the PXE root. */
  tree: ReadonlySet<string>;
  /** The text of the tree's scripts and Harvester configs (what names files). */
  served: ServedText[];
  /** `http://<pxe.address>:<httpPort>` of the lab's PXE service. */
  base: string;
  loaders: { bios: string; uefi: string };
  manifest: ImageManifest;
  cache: CachePaths;
  /** The sha256 of a tree file (checked when an image pins that path too). */
  treeSha256(path: string): Promise<string>;
}

/**
 * Every file the served scripts, configs and DHCP answers name, found in the tree or taken
 * from the image cache (checked by hash). Refuses, naming every missing file, what names it
 * and the command that fetches it; refuses a file whose bytes are not the ones pinned.
 */
export async function resolveBootTree(i: BootTreeInput): Promise<BootAsset[]> {
  const plan = planBootTree(namedFiles(i.served, i.base, i.loaders), i.tree, i.manifest.images);
  const missing: string[] = [];
  const assets: BootAsset[] = [];
  for (const s of plan) {
    if (s.kind === 'tree') {
      if (s.image?.sha256) await refuseStaleTreeFile(s, s.image.sha256, await i.treeSha256(s.file.path));
      continue;
    }
    if (s.kind !== 'image') {
      missing.push(missingLine(s, i.manifest.file));
      continue;
    }
    const cached = await checkCached(i.cache, s.image.sha256);
    if (cached.state === 'missing') missing.push(missingLine(s, i.manifest.file, 'not-cached'));
    else if (cached.state === 'mismatch') {
      throw new UserError(
        'ERR_IMAGE_CHECKSUM_MISMATCH',
        `the cached file of image ${s.image.name} (served at ${s.file.path}) has sha256 ${cached.actual}, not ${s.image.sha256} as ${i.manifest.file} pins: it changed on disk`,
        `run \`builder images verify --repair\` (it removes the damaged file), then \`builder images sync ${s.image.name}\` or \`builder images import FILE --name ${s.image.name}\``,
      );
    } else assets.push({ path: s.file.path, src: cached.path, sha256: s.image.sha256, size: cached.size, image: s.image.name });
  }
  if (missing.length > 0) {
    throw new UserError(
      'ERR_BOOT_ASSET_MISSING',
      `the PXE boot tree lacks ${missing.length} file${missing.length === 1 ? '' : 's'} that the served scripts name:\n${missing.map((m) => `  ${m}`).join('\n')}`,
      'fetch or import each file listed (`builder images list` shows what the cache holds); the hosts cannot boot without them',
    );
  }
  return assets;
}

async function refuseStaleTreeFile(s: Source & { kind: 'tree' }, want: string, got: string): Promise<void> {
  if (got === want) return;
  throw new UserError(
    'ERR_IMAGE_CHECKSUM_MISMATCH',
    `${s.file.path} in the PXE tree has sha256 ${got}, but image ${s.image!.name} pins ${want} for that path`,
    `replace it with the pinned file (\`builder images sync ${s.image!.name}\`), or remove it from the tree so the cached one is used`,
  );
}
