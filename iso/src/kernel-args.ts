// Kernel arguments added to a Talos medium's boot entries: GRUB's `linux` lines and the UKI's
// `.cmdline` sections (the base's and every profile's own, since a profile's .cmdline replaces
// the base's: pkg/imager/imager.go builds the reset profile's as the whole base line plus
// talos.experimental.wipe=system). An argument whose key is already there is replaced, so a
// rebuild from an already-embedded ISO does not stack them. Pure.

/** `key=value` (or a bare flag) → its key. */
const keyOf = (arg: string) => arg.split('=', 1)[0]!;

/** Appends `args` to a kernel command line, dropping earlier arguments with the same keys. */
export function withKernelArgs(cmdline: string, args: string[]): string {
  if (args.length === 0) return cmdline;
  const keys = new Set(args.map(keyOf));
  const kept = cmdline
    .trim()
    .split(/\s+/)
    .filter((a) => a && !keys.has(keyOf(a)));
  return [...kept, ...args].join(' ');
}

/**
 * Adds `args` to every `linux` line of a grub.cfg. GRUB lines are shell-like; Talos's template
 * writes the command line unquoted or single-quoted per word (pkg/imager/iso/grub.cfg `quote`),
 * and the added arguments need no quoting (no spaces or specials).
 */
export function grubWithKernelArgs(cfg: string, args: string[]): { text: string; entries: number } {
  let entries = 0;
  const text = cfg
    .split('\n')
    .map((line) => {
      const m = /^(\s*linux(?:efi)?\s+\S+)(.*)$/.exec(line);
      if (!m) return line;
      entries++;
      return `${m[1]} ${withKernelArgs(m[2]!, args)}`.replace(/\s+$/, '');
    })
    .join('\n');
  return { text, entries };
}

/** The early-report arguments for a collector (DESIGN: Talos progress streams). */
export function reportKernelArgs(talosEvents: string, kmsgUrl: string): string[] {
  return [`talos.events.sink=${talosEvents}`, `talos.logging.kernel=${kmsgUrl}`];
}
