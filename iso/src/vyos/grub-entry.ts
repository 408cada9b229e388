/**
 * Adds a boot entry to a live ISO's GRUB configuration (pure text planning). The new entry is a
 * copy of the first live entry (`linux … boot=live …`) with extra kernel arguments, placed first
 * and made the default; every original entry stays as it was, after it.
 */

/** Marks an entry this tool added, so a stick is never used as the base of another. */
export const LAB_ENTRY_MARK = '# lab-stick: entry added by builder make-usb';

export interface ExtraEntry {
  /** Menu title of the new entry. */
  title: string;
  /** Kernel arguments appended to the copied entry's `linux` line. */
  args: string[];
}

export class BootConfigError extends Error {
  override name = 'BootConfigError';
}

interface Block {
  start: number;
  end: number;
  lines: string[];
}

/** `menuentry … {` blocks at the top level (brace-matched), by line index. */
function menuEntries(lines: string[]): Block[] {
  const blocks: Block[] = [];
  let depth = 0;
  let open: number | null = null;
  lines.forEach((line, i) => {
    const code = line.replace(/(^|\s)#.*$/, '');
    if (depth === 0 && /^\s*menuentry\s/.test(code)) open = i;
    for (const ch of code) {
      if (ch === '{') depth++;
      else if (ch === '}') depth--;
    }
    if (open !== null && depth === 0 && /}/.test(code)) {
      blocks.push({ start: open, end: i, lines: lines.slice(open, i + 1) });
      open = null;
    }
  });
  return blocks;
}

function isLiveEntry(b: Block): boolean {
  return b.lines.some((l) => /^\s*linux(efi)?\s.*\bboot=live\b/.test(l));
}

function retitle(header: string, title: string): string {
  const m = /^(\s*menuentry\s+)(?:"[^"]*"|'[^']*'|\S+)(.*)$/.exec(header);
  if (!m) throw new BootConfigError(`cannot read the menu entry line: ${header.trim()}`);
  // A copied --hotkey or --id would clash with the original entry's.
  const rest = m[2]!.replace(/\s--(hotkey|id)(=|\s+)\S+/g, '');
  return `${m[1]}"${title.replace(/"/g, "'")}"${rest}`;
}

/** True when the configuration already carries an entry this tool added. */
export function hasLabEntry(cfg: string): boolean {
  return cfg.includes(LAB_ENTRY_MARK);
}

/**
 * The GRUB configuration with `entry` added first and made the default (`set default=0`).
 * Throws BootConfigError when there is no live entry to copy or the file was already changed.
 */
export function addGrubEntry(cfg: string, entry: ExtraEntry, file = '/boot/grub/grub.cfg'): string {
  if (hasLabEntry(cfg)) throw new BootConfigError(`${file} already has a lab entry: the base image is a stick made by builder, not a VyOS ISO`);
  const lines = cfg.split('\n');
  const blocks = menuEntries(lines);
  const live = blocks.find(isLiveEntry);
  if (!live) throw new BootConfigError(`${file} has no menuentry with a "linux … boot=live" line to copy`);
  const copy = live.lines.map((l, i) => {
    if (i === 0) return retitle(l, entry.title);
    if (/^\s*linux(efi)?\s/.test(l)) return `${l.replace(/\s+$/, '')} ${entry.args.join(' ')}`;
    return l;
  });
  const first = blocks[0]!.start;
  const out = [...lines.slice(0, first), LAB_ENTRY_MARK, ...copy, ...lines.slice(first)];
  let hasDefault = false;
  const withDefault = out.map((l) => {
    if (/^\s*set\s+default=/.test(l)) {
      hasDefault = true;
      return l.replace(/set\s+default=.*$/, 'set default=0');
    }
    return l;
  });
  return (hasDefault ? withDefault : ['set default=0', ...withDefault]).join('\n');
}

/** Titles of the top-level menu entries, in order (for checks and `media show`). */
export function grubEntryTitles(cfg: string): string[] {
  return menuEntries(cfg.split('\n')).map((b) => /menuentry\s+(?:"([^"]*)"|'([^']*)'|(\S+))/.exec(b.lines[0]!)?.slice(1).find((x) => x !== undefined) ?? '');
}
