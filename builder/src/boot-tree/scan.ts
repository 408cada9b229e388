import { AGENT_ENDPOINTS } from '../render/index.js';

/**
 * Which files of the PXE tree the served files name (pure). The firmware asks for a loader
 * because the DHCP answer names it; each iPXE script then fetches its kernel, initrd and
 * config by URL, and Harvester's installer fetches the ISO its config names (`iso_url`). A file
 * that is named but not served fails the boot at that step, on the host, far from the laptop.
 */

export interface NamedFile {
  /** Path under the PXE root, as the HTTP and TFTP servers resolve it. */
  path: string;
  /** What names it: served files (`ipxe/<mac>.ipxe`) or the DHCP answer. */
  by: string[];
}

/** A served text file: an iPXE script, or a Harvester install config. */
export interface ServedText {
  path: string;
  text: string;
}

/** The files that carry URLs of the PXE service: scripts, and the Harvester configs (iso_url). */
export const isNamingFile = (path: string) => /^ipxe\/[^/]+\.ipxe$/.test(path) || /^harvester\/[^/]+\.ya?ml$/.test(path);

const URL_TOKEN = /https?:\/\/[^\s"'<>]+/g;

/**
 * Paths under `base` (`http://<pxe.address>:<httpPort>`) that a text names. URLs with an iPXE
 * setting in them (`${netX/mac}`) are expanded on the host, so they are the agent's own
 * endpoints (the beacon), never files, and so are the paths it answers itself (the beacon, the
 * control API that Harvester's webhooks call); query strings are dropped. Comment lines are skipped.
 */
export function pathsNamedIn(text: string, base: string): string[] {
  const prefix = `${base.replace(/\/+$/, '')}/`;
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    if (/^\s*#/.test(line)) continue;
    for (const m of line.matchAll(URL_TOKEN)) {
      const url = m[0];
      if (!url.startsWith(prefix) || url.includes('${')) continue;
      const path = url.slice(prefix.length).split(/[?#]/)[0]!;
      if (path.length > 0 && !(AGENT_ENDPOINTS as readonly string[]).includes(path.split('/')[0]!)) out.add(path);
    }
  }
  return [...out];
}

/**
 * Every file the PXE service must have: the loaders the DHCP answer names (TFTP, and HTTP for
 * UEFI HTTP boot) and every path the served scripts and configs name. Sorted by path.
 */
export function namedFiles(served: ServedText[], base: string, loaders: { bios: string; uefi: string }): NamedFile[] {
  const by = new Map<string, Set<string>>();
  const add = (path: string, who: string) => by.set(path, (by.get(path) ?? new Set()).add(who));
  add(loaders.bios, 'the DHCP answer to BIOS clients (loaders.bios)');
  add(loaders.uefi, 'the DHCP answer to UEFI clients (loaders.uefi)');
  for (const f of served.filter((s) => isNamingFile(s.path)).sort((a, b) => (a.path < b.path ? -1 : 1))) {
    for (const p of pathsNamedIn(f.text, base)) add(p, f.path);
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([path, who]) => ({ path, by: [...who] }));
}
