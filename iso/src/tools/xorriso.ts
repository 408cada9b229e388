import { runText } from './run.js';

// -abort_on FAILURE keeps xorriso from writing on after an error; -for_backslash style output is
// avoided by asking for the plain report forms.
// -return_with FAILURE 32: a failed write (libisofs FAILURE) must fail the run; SORRY-level notes
// about the base (which `SORRY 0` let through along with the failures) stay non-fatal.
const quiet = ['-abort_on', 'FAILURE', '-return_with', 'FAILURE', '32'];

/** `-report_el_torito MODE` (plain | as_mkisofs): boot catalogue and system-area facts. */
export async function reportElTorito(iso: string, mode: 'plain' | 'as_mkisofs'): Promise<string> {
  return runText('xorriso', [...quiet, '-indev', iso, '-report_el_torito', mode], iso);
}

/** `-pvd_info`: volume id, volume set id, dates of the primary volume descriptor. */
export async function pvdInfo(iso: string): Promise<Record<string, string>> {
  return parsePvd(await runText('xorriso', [...quiet, '-indev', iso, '-pvd_info'], iso));
}

export interface IsoReports {
  pvd: Record<string, string>;
  plain: string;
  asMkisofs: string;
  files: string[];
}

/** The volume descriptor, both boot reports and the file list in one xorriso run. */
export async function reports(iso: string): Promise<IsoReports> {
  const mark = '@@lab-media@@';
  const text = await runText(
    'xorriso',
    [...quiet, '-indev', iso, '-print', `${mark}pvd`, '-pvd_info', '-print', `${mark}plain`, '-report_el_torito', 'plain', '-print', `${mark}mkisofs`, '-report_el_torito', 'as_mkisofs', '-print', `${mark}files`, '-find', '/', '-type', 'f'],
    iso,
  );
  const parts: Record<string, string> = {};
  for (const chunk of text.split(mark).slice(1)) {
    const nl = chunk.indexOf('\n');
    parts[chunk.slice(0, nl)] = chunk.slice(nl + 1);
  }
  return { pvd: parsePvd(parts.pvd ?? ''), plain: parts.plain ?? '', asMkisofs: parts.mkisofs ?? '', files: parseFiles(parts.files ?? '') };
}

function parsePvd(text: string): Record<string, string> {
  const info: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z. ]*?)\s*:\s?(.*)$/.exec(line);
    if (m) info[m[1]!.trim()] = m[2]!.trim().replace(/^'(.*)'$/, '$1');
  }
  return info;
}

function parseFiles(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith("'/"))
    .map((l) => l.slice(1, -1).replace(/'"'"'/g, "'"));
}

/** Paths of every regular file in the ISO tree. */
export async function listFiles(iso: string): Promise<string[]> {
  return parseFiles(await runText('xorriso', [...quiet, '-indev', iso, '-find', '/', '-type', 'f'], iso));
}

/** Copies files out of the ISO: pairs of [path in ISO, destination on disk]. */
export async function extract(iso: string, pairs: [string, string][]): Promise<void> {
  const args = [...quiet, '-osirrox', 'on', '-indev', iso];
  for (const [from, to] of pairs) args.push('-extract', from, to);
  await runText('xorriso', args, iso);
}

/**
 * Copies the whole ISO tree out to `dest` (made writable: `-chmod_r` changes only the loaded
 * image in memory, nothing is written back), without the boot catalogue xorriso makes anew.
 */
export async function extractTree(iso: string, dest: string, catalog?: string): Promise<void> {
  const args = [...quiet, '-osirrox', 'on', '-indev', iso, '-chmod_r', 'u+w', '/', '--'];
  if (catalog) args.push('-rm', catalog, '--');
  // -rollback_end: end without writing the changed image anywhere (else xorriso would try to).
  await runText('xorriso', [...args, '-extract', '/', dest, '-rollback_end'], iso);
}

/** Runs xorriso with an argument list built by the caller (the rebuild plan). */
export async function run(args: string[], file: string): Promise<string> {
  return runText('xorriso', [...quiet, ...args], file);
}

