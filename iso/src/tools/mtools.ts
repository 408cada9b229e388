import { runText } from './run.js';

// mtools reads a FAT image given with `-i`; `::` is its root. MTOOLS_SKIP_CHECK tolerates images
// made by other formatters; a fixed environment keeps its output stable.
const env = { MTOOLS_SKIP_CHECK: '1', MTOOLS_NO_VFAT: '0', LC_ALL: 'C' };

// mtools stamps new directories and the label with SOURCE_DATE_EPOCH when it is set.
const writeEnv = (epoch: number) => ({ ...env, SOURCE_DATE_EPOCH: String(epoch) });

/** Every file below `::/`, with sizes, as `mdir -/ -b` prints them (full paths). */
export async function listFiles(image: string): Promise<string[]> {
  const text = await runText('mdir', ['-i', image, '-/', '-b', '::/'], image, { env });
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('::/'))
    .map((l) => l.slice(2));
}

/** Copies the whole FAT tree into `dest` keeping modification times. */
export async function extractAll(image: string, dest: string): Promise<void> {
  await runText('mcopy', ['-i', image, '-s', '-m', '-n', '-p', '::/*', dest], image, { env });
}

/** Copies one file out of the image. */
export async function extractFile(image: string, path: string, dest: string): Promise<void> {
  await runText('mcopy', ['-i', image, '-n', '-m', `::${path}`, dest], image, { env });
}

/** Volume label and serial of a FAT image (`minfo`). */
export async function volumeInfo(image: string): Promise<{ label: string; serial: number }> {
  const text = await runText('minfo', ['-i', image, '::'], image, { env });
  const label = /disk label="([^"]*)"/.exec(text)?.[1]?.trim() ?? '';
  const serial = parseInt(/serial number: ([0-9A-Fa-f]+)/.exec(text)?.[1] ?? '0', 16);
  return { label: label === 'NO NAME' ? '' : label, serial };
}

/** Formats `image` (an existing file of the wanted size) as FAT with a fixed serial and label. */
export async function format(image: string, opts: { sectors: number; label: string; serial: number; epoch: number }): Promise<void> {
  const env = writeEnv(opts.epoch);
  const args = ['-i', image, '-T', String(opts.sectors), '-N', opts.serial.toString(16).padStart(8, '0')];
  if (opts.label) args.push('-v', opts.label);
  args.push('::');
  await runText('mformat', args, image, { env });
}

/** Creates directories (parents first) and copies files in, keeping the sources' mtimes. */
export async function putTree(image: string, dirs: string[], files: { src: string; path: string }[], epoch: number): Promise<void> {
  const env = writeEnv(epoch);
  for (const d of dirs) await runText('mmd', ['-i', image, `::${d}`], image, { env });
  for (const f of files) await runText('mcopy', ['-i', image, '-m', '-o', f.src, `::${f.path}`], image, { env });
}
