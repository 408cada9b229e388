// What each boot entry of a Talos medium runs: GRUB's menu entries (grub.cfg `menuentry` with its
// `linux` line) and every UKI profile's effective command line (its own .cmdline, else the
// base's: systemd-stub 257). Pure.
import { bootChoices, effectiveSection, type UkiStructure } from './uki-profiles.js';

export interface BootEntry {
  loader: 'grub' | 'uki';
  title: string;
  cmdline: string;
}

export function grubEntries(cfg: string): BootEntry[] {
  const out: BootEntry[] = [];
  let title: string | undefined;
  for (const line of cfg.split('\n')) {
    const m = /^\s*menuentry\s+["']([^"']*)["']/.exec(line);
    if (m) title = m[1];
    const l = /^\s*linux(?:efi)?\s+\S+\s*(.*)$/.exec(line);
    if (l && title !== undefined) {
      out.push({ loader: 'grub', title, cmdline: l[1]!.trim() });
      title = undefined;
    }
  }
  return out;
}

export function ukiEntries(structure: UkiStructure, texts: Map<number, string>): BootEntry[] {
  return bootChoices(structure).map((c) => {
    const ref = effectiveSection(structure, c.profile, '.cmdline');
    return { loader: 'uki' as const, title: c.label, cmdline: ref ? (texts.get(ref.index) ?? '').trim() : '' };
  });
}
