import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../base/index.js';
import { dependsOn, download, extract, DebError } from '../tools/deb.js';

/** Debian's cloud kernel: small, with virtio, VLAN and bridge support as modules. */
export const KERNEL_METAPACKAGE = 'linux-image-cloud-amd64';

export interface DemoKernel {
  /** The Debian package the kernel came from, shown wherever the demo says what it boots. */
  pkg: string;
  vmlinuz: string;
  /** lib/modules/<version> of the unpacked package. */
  modules: string;
}

/**
 * Fetches the Debian kernel once into `cacheDir` (`apt-get download`, `dpkg-deb -x`; never
 * installed). Unpacks into a private directory and renames it into place, so a crash leaves no
 * half-unpacked kernel behind.
 */
export async function ensureDemoKernel(cacheDir: string): Promise<DemoKernel> {
  const root = join(cacheDir, 'kernel');
  const done = join(root, 'current');
  try {
    if (!existsSync(join(done, 'unpacked.ok'))) {
      await mkdir(root, { recursive: true });
      const pkg = await dependsOn(KERNEL_METAPACKAGE, 'linux-image-');
      if (!pkg) throw new DebError(`apt-cache names no kernel behind ${KERNEL_METAPACKAGE}`);
      const work = await mkdtemp(join(root, 'dl-'));
      try {
        await download(pkg, work);
        const deb = (await readdir(work)).find((f) => f.endsWith('.deb'));
        if (!deb) throw new DebError(`apt-get download ${pkg} wrote no .deb`);
        const x = join(work, 'x');
        await extract(join(work, deb), x);
        await writeFile(join(x, 'unpacked.ok'), `${pkg}\n`);
        await rm(done, { recursive: true, force: true });
        await rename(x, done);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
  } catch (err) {
    if (err instanceof DebError) throw new UserError('ERR_REHEARSE_KERNEL', `rehearse: cannot fetch the demo payloads' Debian kernel: ${err.message}`, 'run `apt-get update` (needs the network once; the kernel is cached afterwards)', { cause: err });
    throw err;
  }
  const pkg = (await readFile(join(done, 'unpacked.ok'), 'utf8')).trim();
  const boot = await readdir(join(done, 'boot'));
  const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
  const kver = (await readdir(join(done, 'lib/modules')))[0];
  if (!vmlinuz || !kver) throw new UserError('ERR_REHEARSE_KERNEL', `rehearse: ${pkg} in ${done} has no vmlinuz or modules`, `remove ${done} and run the rehearsal again`);
  return { pkg, vmlinuz: join(done, 'boot', vmlinuz), modules: join(done, 'lib/modules', kver) };
}

/** `depends=` of a module's .modinfo section (null-separated `key=value` strings in the .ko). */
export function modinfoDepends(ko: Buffer): string[] {
  const at = ko.indexOf('\0depends=');
  if (at < 0) return [];
  const end = ko.indexOf(0, at + 9);
  return ko.subarray(at + 9, end).toString('latin1').split(',').filter(Boolean);
}

/**
 * Modules to insmod, dependencies first. The .deb carries no modules.dep (depmod makes it on
 * install), so each module's own `depends=` is read. `files` maps module names (with `_`) to paths.
 */
export function moduleLoadOrder(files: Map<string, string>, read: (path: string) => Buffer, wanted: string[]): string[] {
  const out: string[] = [];
  const visit = (name: string) => {
    const path = files.get(name.replace(/-/g, '_'));
    if (!path) throw new UserError('ERR_REHEARSE_KERNEL', `rehearse: the demo kernel has no module ${name}`, 'remove the kernel cache (~/.cache/lab-builder/rehearse) so it is fetched again');
    if (out.includes(path)) return;
    for (const d of modinfoDepends(read(path))) visit(d);
    out.push(path);
  };
  for (const name of wanted) visit(name);
  return out;
}

/** Every .ko under the kernel's modules directory, by name. */
export async function moduleFiles(modules: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.ko')) out.set(e.name.slice(0, -3).replace(/-/g, '_'), p);
    }
  };
  await walk(modules);
  return out;
}
