import { BootConfigError, LAB_ENTRY_MARK, type ExtraEntry } from './grub-entry.js';

/**
 * The same change for ISOLINUX menus (VyOS ISOs built with `syslinux,grub-efi` boot BIOS through
 * ISOLINUX; live-build writes the live entries to isolinux/live.cfg): a copy of the first
 * `boot=live` label, placed first, marked `menu default`; the other labels lose `menu default`
 * and are otherwise unchanged.
 */
export function addSyslinuxEntry(cfg: string, entry: ExtraEntry, file = '/isolinux/live.cfg'): string {
  if (cfg.includes(LAB_ENTRY_MARK)) throw new BootConfigError(`${file} already has a lab entry: the base image is a stick made by builder`);
  const lines = cfg.split('\n');
  const labelAt = lines.map((l, i) => (/^\s*label\s/i.test(l) ? i : -1)).filter((i) => i >= 0);
  const blocks = labelAt.map((start, k) => ({ start, end: (labelAt[k + 1] ?? lines.length) - 1 }));
  const live = blocks.find((b) => lines.slice(b.start, b.end + 1).some((l) => /^\s*append\s.*\bboot=live\b/i.test(l)));
  if (!live) throw new BootConfigError(`${file} has no label with an "append … boot=live" line to copy`);
  const body = lines.slice(live.start, live.end + 1);
  while (body.length > 1 && body[body.length - 1]!.trim() === '') body.pop();
  const indent = /^(\s*)/.exec(body[1] ?? '    ')![1] || '\t';
  const copy = [
    'label lab-stick',
    `${indent}menu label ${entry.title}`,
    `${indent}menu default`,
    ...body.slice(1).filter((l) => !/^\s*menu\s+(label|default)\b/i.test(l)).map((l) => (/^\s*append\s/i.test(l) ? `${l.replace(/\s+$/, '')} ${entry.args.join(' ')}` : l)),
    '',
  ];
  const first = blocks[0]!.start;
  const rest = lines.slice(first).filter((l) => !/^\s*menu\s+default\s*$/i.test(l));
  return [...lines.slice(0, first), LAB_ENTRY_MARK, ...copy, ...rest].join('\n');
}
