import { runBuffer, runText } from './run.js';

export type SquashfsCompression = 'zstd' | 'xz';

/**
 * Builds a squashfs image the way Talos's imager does (`-all-root -noappend`, zstd level 18 or xz
 * with a full dictionary), with every timestamp fixed so the image is reproducible.
 */
export async function mksquashfs(rootDir: string, out: string, compression: SquashfsCompression, epoch: number): Promise<void> {
  const comp = compression === 'zstd' ? ['-comp', 'zstd', '-Xcompression-level', '18'] : ['-comp', 'xz', '-Xdict-size', '100%'];
  await runText(
    'mksquashfs',
    [rootDir, out, '-all-root', '-noappend', '-no-progress', '-quiet', ...comp, '-mkfs-time', String(epoch), '-all-time', String(epoch), '-processors', '1'],
    out,
  );
}

/** The bytes of one file inside a squashfs image. */
export async function unsquashfsCat(image: string, path: string): Promise<Buffer> {
  return runBuffer('unsquashfs', ['-cat', image, path], image);
}

/** Paths inside a squashfs image (one per line, without the squashfs-root prefix). */
export async function unsquashfsList(image: string): Promise<string[]> {
  const text = await runText('unsquashfs', ['-lc', '-no-progress', image], image);
  return text
    .split('\n')
    .filter((l) => l.startsWith('squashfs-root/'))
    .map((l) => l.slice('squashfs-root'.length));
}
