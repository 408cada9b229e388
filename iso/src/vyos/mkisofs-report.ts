import { parseReport } from '../mkisofs-report.js';

/**
 * The boot options of a base ISO (`xorriso -report_el_torito as_mkisofs`) for a remaster that
 * keeps its whole tree, leaving out the options that cannot be laid out again. Pure.
 */

/** HFS+ and APM (Mac boot hints of grub-mkrescue/live-build ISOs): libisofs cannot lay them out
 * again beside the EFI partition ("GPT partitions … overlap"); PCs and VyOS do not use them. */
const DROPPED = new Set(['-hfsplus', '-apm-block-size']);

export interface BootOptions {
  args: string[];
  dropped: string[];
}

export function bootOptionsFromReport(report: string): BootOptions {
  const args: string[] = [];
  const dropped: string[] = [];
  for (const words of parseReport(report)) {
    if (DROPPED.has(words[0]!)) dropped.push(words.join(' '));
    else args.push(...words);
  }
  if (!args.some((a) => a === '-b' || a === '-e')) throw new Error('the ISO has no El Torito boot image: it is not a bootable ISO');
  return { args, dropped };
}
