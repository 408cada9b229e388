// Debian trixie's systemd 257 parts, the ones Talos v1.12 ships: systemd-stub and systemd-boot
// (systemd-boot-efi), ukify to assemble a multi-profile UKI with them (systemd-ukify, plus the
// pure-Python pefile it needs), and squashfs-tools 4.6. Fetched with `apt-get download` from
// the trixie suite through a private apt state (tools/apt.ts) and unpacked with `dpkg -x` into a
// cache directory; never installed. Bookworm's python3 runs trixie's ukify.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aptDownload, aptUpdate, dpkgExtract } from './tools/apt.js';
import type { Ukify } from './tools/ukify.js';

const PACKAGES = ['systemd-boot-efi', 'systemd-ukify', 'python3-pefile', 'squashfs-tools'];
const SOURCES = 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n';

export interface TrixieParts {
  /** systemd-stub 257. */
  stub: string;
  /** systemd 257's addon stub (what ukify builds a profile PE from). */
  addonStub: string;
  /** systemd-boot 257. */
  sdboot: string;
  /** Runs ukify 257. */
  ukify: Ukify;
  mksquashfs: string;
  unsquashfs: string;
  /** Package versions, for cache keys. */
  versions: string;
}

function parts(x: string, versions: string): TrixieParts {
  return {
    stub: join(x, 'usr/lib/systemd/boot/efi/linuxx64.efi.stub'),
    addonStub: join(x, 'usr/lib/systemd/boot/efi/addonx64.efi.stub'),
    sdboot: join(x, 'usr/lib/systemd/boot/efi/systemd-bootx64.efi'),
    ukify: { command: 'python3', args: [join(x, 'usr/bin/ukify')], env: { PYTHONPATH: join(x, 'usr/lib/python3/dist-packages'), LC_ALL: 'C' } },
    mksquashfs: join(x, 'usr/bin/mksquashfs'),
    unsquashfs: join(x, 'usr/bin/unsquashfs'),
    versions,
  };
}

/** Fetches and unpacks the parts once into `<cacheDir>/trixie/x`. */
export async function ensureTrixie(cacheDir: string): Promise<TrixieParts> {
  const dir = join(cacheDir, 'trixie');
  const x = join(dir, 'x');
  const stamp = join(x, 'unpacked.ok');
  if (!existsSync(stamp)) {
    await mkdir(dir, { recursive: true });
    // Several processes may fetch at once: each works in its own directory, the first rename wins.
    const own = await mkdtemp(join(dir, 'dl-'));
    try {
      const apt = join(own, 'apt');
      for (const d of ['parts', 'lists/partial', 'cache/archives/partial']) await mkdir(join(apt, d), { recursive: true });
      await writeFile(join(apt, 'parts/trixie.sources'), SOURCES);
      await writeFile(join(apt, 'none.list'), '');
      await aptUpdate(apt);
      const debs = join(own, 'debs');
      await mkdir(debs);
      await aptDownload(apt, PACKAGES, debs);
      const unpack = join(own, 'x');
      const names = (await readdir(debs)).filter((f) => f.endsWith('.deb')).sort();
      for (const deb of names) await dpkgExtract(join(debs, deb), unpack);
      await writeFile(join(unpack, 'unpacked.ok'), names.join('\n'));
      await rename(unpack, x).catch(() => undefined);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  }
  return parts(x, await readFile(stamp, 'utf8'));
}
