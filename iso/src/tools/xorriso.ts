import { runText } from './run.js';

// -abort_on FAILURE keeps xorriso from writing on after an error; -for_backslash style output is
// avoided by asking for the plain report forms.
const quiet = ['-abort_on', 'FAILURE', '-return_with', 'SORRY', '0'];

/** `-report_el_torito MODE` (plain | as_mkisofs): boot catalogue and system-area facts. */
export async function reportElTorito(iso: string, mode: 'plain' | 'as_mkisofs'): Promise<string> {
  return runText('xorriso', [...quiet, '-indev', iso, '-report_el_torito', mode], iso);
}

/** `-pvd_info`: volume id, volume set id, dates of the primary volume descriptor. */
export async function pvdInfo(iso: string): Promise<Record<string, string>> {
  const text = await runText('xorriso', [...quiet, '-indev', iso, '-pvd_info'], iso);
  const info: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z ]*?)\s*:\s?(.*)$/.exec(line);
    if (m) info[m[1]!.trim()] = m[2]!.trim().replace(/^'(.*)'$/, '$1');
  }
  return info;
}

/** Paths of every regular file in the ISO tree. */
export async function listFiles(iso: string): Promise<string[]> {
  const text = await runText('xorriso', [...quiet, '-indev', iso, '-find', '/', '-type', 'f'], iso);
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith("'/"))
    .map((l) => l.slice(1, -1).replace(/'"'"'/g, "'"));
}

/** Copies files out of the ISO: pairs of [path in ISO, destination on disk]. */
export async function extract(iso: string, pairs: [string, string][]): Promise<void> {
  const args = [...quiet, '-osirrox', 'on', '-indev', iso];
  for (const [from, to] of pairs) args.push('-extract', from, to);
  await runText('xorriso', args, iso);
}

/** Runs xorriso with an argument list built by the caller (the rebuild plan). */
export async function run(args: string[], file: string): Promise<string> {
  return runText('xorriso', [...quiet, ...args], file);
}
