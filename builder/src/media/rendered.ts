// Where make-usb takes what `builder render` wrote and what `npm run build` built: one place for
// every target, so the sticks never disagree about their inputs.
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { StatePaths } from '../state/index.js';

/** Where `builder render` leaves a host's Talos config. */
export function renderedTalosConfig(paths: StatePaths, host: string): string {
  return join(paths.rendered, 'talos', `${host}.yaml`);
}

/** Every file under `dir`, sorted by path, as `{ path (relative, /-separated), src }`. */
export async function filesUnder(dir: string, prefix = ''): Promise<{ path: string; src: string }[]> {
  const out: { path: string; src: string }[] = [];
  for (const e of (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(join(dir, e.name), rel)));
    else if (e.isFile()) out.push({ path: rel, src: join(dir, e.name) });
  }
  return out;
}

/** What the PXE service serves over HTTP from the render output (builder/src/render/pxe-urls.ts):
 * ipxe/, harvester/, talos/. Not the admin client configs. */
export const SERVED_PXE_DIRS = ['ipxe', 'harvester', 'talos'];

/** The served tree of a directory; secret files (no group/other bits) stay 0600, the rest 0644. */
export async function servedTree(root: string, subdirs?: readonly string[]): Promise<{ path: string; src: string; mode: number }[]> {
  const withMode = (f: { path: string; src: string }) => ({ ...f, mode: (statSync(f.src).mode & 0o077) === 0 ? 0o600 : 0o644 });
  if (!subdirs) return (await filesUnder(root)).map(withMode);
  const out: { path: string; src: string; mode: number }[] = [];
  for (const sub of subdirs) if (existsSync(join(root, sub))) out.push(...(await filesUnder(join(root, sub), sub)).map(withMode));
  return out;
}

/** The PXE tree `builder render` wrote for the lab. */
export function renderedPxeTree(paths: StatePaths): Promise<{ path: string; src: string; mode: number }[]> {
  return servedTree(paths.rendered, SERVED_PXE_DIRS);
}

/**
 * The agent `npm run build` made, found through its package (@lab/agent's `./bundle` and
 * `./executable` exports): undefined for a part that was not built.
 */
export function builtAgent(): { bundle?: string; exe?: string } {
  const require = createRequire(import.meta.url);
  const find = (spec: string): string | undefined => {
    try {
      return require.resolve(spec);
    } catch {
      return undefined;
    }
  };
  const bundle = find('@lab/agent/bundle');
  const exe = find('@lab/agent/executable');
  return { ...(bundle ? { bundle } : {}), ...(exe ? { exe } : {}) };
}
