import { runBuffer, runText } from './run.js';

export type SquashfsCompression = 'zstd' | 'xz';

export interface Xattr {
  /** Path inside the image, e.g. usr/local/etc/talos/config.yaml. */
  path: string;
  name: string;
  value: string;
}

let versionOnce: Promise<{ major: number; minor: number } | undefined> | undefined;

/** mksquashfs's version ("mksquashfs version 4.6.1 (2023/03/25)"), asked once. */
export function mksquashfsVersion(): Promise<{ major: number; minor: number } | undefined> {
  versionOnce ??= runText('mksquashfs', ['-version'], 'mksquashfs')
    .then((t) => {
      const m = /version (\d+)\.(\d+)/.exec(t);
      return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
    })
    .catch(() => undefined);
  return versionOnce;
}

/** Pseudo-file xattr definitions (`PATH x NAME=VALUE`) arrived in squashfs-tools 4.6. */
export async function canSetXattrs(): Promise<boolean> {
  const v = await mksquashfsVersion();
  return v !== undefined && (v.major > 4 || (v.major === 4 && v.minor >= 6));
}

/**
 * Builds a squashfs image the way Talos's imager does (`-all-root -noappend`, zstd level 18 or xz
 * with a full dictionary), with every timestamp fixed so the image is reproducible. `xattrs` are
 * written through pseudo-file definitions when this mksquashfs can (4.6+); the result says whether
 * they were.
 */
export async function mksquashfs(rootDir: string, out: string, compression: SquashfsCompression, epoch: number, xattrs: Xattr[] = []): Promise<{ xattrs: boolean }> {
  const comp = compression === 'zstd' ? ['-comp', 'zstd', '-Xcompression-level', '18'] : ['-comp', 'xz', '-Xdict-size', '100%'];
  const withXattrs = xattrs.length > 0 && (await canSetXattrs());
  const pseudo = withXattrs ? xattrs.flatMap((x) => ['-p', `${x.path} x ${x.name}=${x.value}`]) : [];
  await runText(
    'mksquashfs',
    [rootDir, out, '-all-root', '-noappend', '-no-progress', '-quiet', ...comp, '-mkfs-time', String(epoch), '-all-time', String(epoch), '-processors', '1', ...pseudo],
    out,
  );
  return { xattrs: withXattrs };
}

/** The pseudo-file listing of an image (`unsquashfs -pf -`, 4.6+): one definition per line, data cut off. */
export async function unsquashfsPseudo(image: string): Promise<string[]> {
  const text = await runText('unsquashfs', ['-pf', '-', image], image);
  const end = text.indexOf('# START OF DATA');
  return (end >= 0 ? text.slice(0, end) : text).split('\n').filter((l) => l && !l.startsWith('#'));
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
