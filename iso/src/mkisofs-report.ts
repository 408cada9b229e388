// Parses `xorriso -report_el_torito as_mkisofs` (one option per line, single-quoted values) and
// turns it into the option list of the rebuild. Pure.

/** Splits a report line into arguments, undoing xorriso's quoting ('…' and "…", '"'"'). */
export function splitLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let has = false;
  let quote: '' | "'" | '"' = '';
  for (const ch of line) {
    if (quote) {
      if (ch === quote) quote = '';
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (/\s/.test(ch)) {
      if (has) out.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has) out.push(cur);
  return out;
}

export function parseReport(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('-'))
    .map(splitLine);
}

const UNIT: Record<string, number> = { '': 1, d: 512, s: 2048, k: 1024, m: 1 << 20 };

function blocks(v: string): number {
  const m = /^(\d+)([dskm]?)$/.exec(v);
  if (!m) throw new Error(`unknown xorriso interval bound ${v}`);
  return Number(m[1]) * UNIT[m[2]!]!;
}

/** Byte range of an `--interval:local_fs:START-END::FILE` argument (END inclusive in its unit). */
export function intervalRange(arg: string): { start: number; end: number; file: string } | undefined {
  const m = /^--interval:local_fs:(\d+)([dskm]?)-(\d+)([dskm]?):[^:]*:(.*)$/.exec(arg);
  if (!m) return undefined;
  const unitEnd = UNIT[m[4]!]!;
  return { start: blocks(m[1]! + m[2]!), end: blocks(m[3]! + m[4]!) + unitEnd, file: m[5]!.replace(/^:/, '') };
}

export interface AppendedPartition {
  number: number;
  type: string;
  start: number;
  end: number;
}

export function appendedPartitions(lines: string[][]): AppendedPartition[] {
  const parts: AppendedPartition[] = [];
  for (const l of lines) {
    if (l[0] !== '-append_partition' || l.length < 4) continue;
    const r = intervalRange(l[3]!);
    if (r) parts.push({ number: Number(l[1]), type: l[2]!, start: r.start, end: r.end });
  }
  return parts;
}

/** xorriso's 16-digit date (YYYYMMDDhhmmsscc) for an epoch, UTC. */
export function xorrisoDate(epoch: number): string {
  const d = new Date(epoch * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}00`;
}

/** The epoch of a 16-digit xorriso/ISO 9660 date, read as UTC; undefined when unset (zeros). */
export function epochFromIsoDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})/.exec(text);
  if (!m || m[1] === '0000') return undefined;
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])) / 1000;
}

export interface RebuildInput {
  base: string;
  out: string;
  report: string[][];
  /** New contents for paths inside the ISO tree. */
  map: [string, string][];
  /**
   * Build from this directory (the base's whole tree, copied out, `map` already applied) instead
   * of loading the base with -indev: xorriso 1.5.4 cannot rewrite a loaded grub-mkrescue image
   * that has both HFS+ (APM block size 2048) and a GPT partition for /efi.img ("GPT partitions 1
   * and 2 overlap"), the layout of Talos's grub ISO (pkg/imager/iso/grub.go). grub-mkrescue
   * itself builds from a directory, with -r.
   */
  tree?: string;
  /** New image for appended partition 2 (the ESP); absent: the base's is kept (a grub ISO has none). */
  esp?: string;
  volumeSetId?: string;
  publisherId?: string;
  applicationId?: string;
  epoch: number;
}

/**
 * xorriso arguments that load the base tree, swap files and the ESP, and write a new image with
 * the base's boot setup (`-boot_image any replay` fails on GRUB hybrid ISOs, so the boot options
 * are replayed through `-as mkisofs` instead). Every date is the epoch, so the bytes only depend
 * on the inputs.
 */
export function rebuildArgs(input: RebuildInput): string[] {
  const date = xorrisoDate(input.epoch);
  // By default xorriso forces its output to disk every 16 MiB, stalling the write; the caller
  // fsyncs the finished temp file itself (beside hashing it) before renaming it into place.
  // xorriso notices the end of a write only at its next progress tick (1 s by default, measured
  // 0.92 s against 0.45 s for a 312 MB image); ticking every 0.1 s changes no byte of the image.
  const args = ['-stdio_sync', 'off', '-pacifier', 'interval=0.1'];
  if (!input.tree) {
    args.push('-indev', input.base, '-outdev', input.out);
    for (const [isoPath, file] of input.map) {
      // -map takes the file's times from the disk; pin all three (Rock Ridge TF records them).
      args.push('-map', file, isoPath, '-alter_date', 'b', `=${input.epoch}`, isoPath, '--', '-alter_date', 'c', `=${input.epoch}`, isoPath, '--');
    }
    args.push('-boot_image', 'any', 'discard');
  }
  const opts: string[] = input.tree ? ['-o', input.out, '-r', input.tree] : [];
  let afterAlt = false;
  for (const line of input.report) {
    const [opt] = line;
    if (opt === '-eltorito-alt-boot') afterAlt = true;
    if (opt?.startsWith('--modification-date=')) {
      opts.push(`--modification-date=${date}`);
    } else if (opt === '-append_partition' && line[1] === '2' && input.esp) {
      opts.push('-append_partition', '2', line[2]!, input.esp);
    } else if (opt === '-e' && /appended_partition_2/.test(line[1] ?? '') && input.esp) {
      // The ESP may change size: point at the whole partition and let xorriso size the entry.
      opts.push('-e', '--interval:appended_partition_2:all::');
    } else if (opt === '-boot-load-size' && afterAlt) {
      continue;
    } else {
      opts.push(...line);
    }
  }
  if (input.volumeSetId) opts.push('-volset', input.volumeSetId);
  if (input.publisherId) opts.push('-publisher', input.publisherId);
  if (input.applicationId) opts.push('-A', input.applicationId);
  args.push('-as', 'mkisofs', ...opts, '--');
  for (const which of ['c', 'm']) args.push('-volume_date', which, `=${input.epoch}`);
  args.push('-volume_date', 'uuid', date, '-volume_date', 'all_file_dates', `=${input.epoch}`);
  // GPT GUIDs are random by default; derive them from the fixed volume uuid instead.
  args.push('-boot_image', 'any', 'gpt_disk_guid=volume_date_uuid');
  return args;
}
