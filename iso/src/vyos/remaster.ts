import { runText } from '../tools/run.js';
import { reportElTorito } from '../tools/xorriso.js';
import { bootOptionsFromReport } from './mkisofs-report.js';

/** A file to put into the ISO (replacing one that is there, or new). */
export interface IsoPut {
  /** Absolute path inside the ISO, such as /lab/config.boot. */
  iso: string;
  /** File or directory on disk; its mode is kept (Rock Ridge) unless `mode` is given. */
  src: string;
  /** Rock Ridge mode of a file put as it is (a read-only cache file mapped without a copy). */
  mode?: number;
  /** Its modification and access time, in seconds since 1970 (so equal inputs give equal bytes). */
  mtime?: number;
}

export interface RemasterResult {
  /** Boot options of the base that were not carried over (see mkisofs-report.ts). */
  dropped: string[];
}

/**
 * Writes `out`: the base ISO's tree plus `put`, booting exactly as the base does (its El Torito
 * entries, GRUB MBR, EFI partition, volume id and modification date — GRUB's EFI image finds its
 * ISO by that date). xorriso streams the base; nothing is held in memory. Added files belong to
 * root. `epoch` fixes every new timestamp, so the same inputs give the same bytes.
 */
export async function remasterIso(base: string, out: string, put: IsoPut[], epoch: number): Promise<RemasterResult> {
  const boot = bootOptionsFromReport(await reportElTorito(base, 'as_mkisofs'));
  const args = ['-abort_on', 'FAILURE', '-return_with', 'SORRY', '0', '-indev', base, '-outdev', out, '-boot_image', 'any', 'discard'];
  for (const p of put) {
    args.push('-map', p.src, p.iso, '-chown_r', '0', p.iso, '--', '-chgrp_r', '0', p.iso, '--');
    if (p.mode !== undefined) args.push('-chmod', p.mode.toString(8), p.iso, '--');
    // xorriso's "b-c": access and modification time, ctime left alone; "=N" is seconds since 1970.
    if (p.mtime !== undefined) args.push('-alter_date', 'b-c', `=${Math.floor(p.mtime)}`, p.iso, '--');
  }
  args.push('-as', 'mkisofs', ...boot.args, '--');
  // SOURCE_DATE_EPOCH makes xorriso use that time wherever it would use "now".
  await runText('xorriso', args, base, { env: { SOURCE_DATE_EPOCH: String(epoch), LC_ALL: 'C' } });
  return { dropped: boot.dropped };
}
