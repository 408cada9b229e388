import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assembleUki, formatFat, gptTables, GPT_FIRST_LBA, GPT_TYPES, putFatTree } from '@lab/iso';
import { UserError } from '../../base/index.js';
import { DebError, downloadFromSuite, extract } from '../tools/deb.js';
import { buildHarvesterNode } from './initramfs.js';
import type { DemoKernel } from './kernel.js';

/**
 * The demo Harvester "ISO" the PXE service serves at install.iso_url: not an ISO but the disk
 * image the demo installer writes to install.device, built from Debian parts. GPT with
 *   1. an ESP (FAT) whose EFI/BOOT/BOOTX64.EFI (the removable-media path firmware boots) is a
 *      UKI: Debian trixie's systemd-stub 257 with the demo kernel, the installed node's initramfs
 *      (harvester-node.ts) and its command line;
 *   2. COS_OEM (the partition Harvester mounts at /oem), empty: the installer stores the config
 *      it fetched there as /oem/harvester.config (a tar archive: the demo node needs no filesystem driver).
 * Not modelled: Harvester's COS_STATE/COS_RECOVERY/COS_PERSISTENT partitions, GRUB, the OS image.
 */

/** Debian trixie's systemd-boot-efi: systemd-stub 257, the stub Talos v1.12 and Harvester's era ship. */
export const STUB_PACKAGE = 'systemd-boot-efi';
export const STUB_SUITE = 'trixie';
const STUB_PATH = 'usr/lib/systemd/boot/efi/linuxx64.efi.stub';

export interface DemoStub {
  pkg: string;
  stub: string;
}

/** Fetches trixie's systemd-boot-efi once into `cacheDir` (a private apt state; unpacked, renamed into place). */
export async function ensureSystemdStub(cacheDir: string): Promise<DemoStub> {
  const root = join(cacheDir, 'systemd-stub');
  const done = join(root, 'current');
  try {
    if (!existsSync(join(done, 'unpacked.ok'))) {
      await mkdir(root, { recursive: true });
      const work = await mkdtemp(join(root, 'dl-'));
      try {
        const debs = join(work, 'debs');
        await mkdir(debs);
        await downloadFromSuite(STUB_SUITE, [STUB_PACKAGE], join(work, 'apt'), debs);
        const deb = (await readdir(debs)).find((f) => f.endsWith('.deb'));
        if (!deb) throw new DebError(`apt-get download ${STUB_PACKAGE} (${STUB_SUITE}) wrote no .deb`);
        const x = join(work, 'x');
        await extract(join(debs, deb), x);
        await writeFile(join(x, 'unpacked.ok'), `${deb.replace(/\.deb$/, '')}\n`);
        await rm(done, { recursive: true, force: true });
        await rename(x, done);
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    }
  } catch (err) {
    if (err instanceof DebError) throw new UserError('ERR_REHEARSE_STUB', `rehearse: cannot fetch ${STUB_SUITE}'s ${STUB_PACKAGE} (systemd-stub) for the demo Harvester image: ${err.message}`, 'check that deb.debian.org is reachable (needed once; the stub is cached afterwards)', { cause: err });
    throw err;
  }
  return { pkg: (await readFile(join(done, 'unpacked.ok'), 'utf8')).trim(), stub: join(done, STUB_PATH) };
}

const MIB_SECTORS = 2048;
const SECTOR = 512;
export const OEM_PARTITION = 'COS_OEM';

/** Sector layout of the image: ESP from 1 MiB, COS_OEM 1 MiB after it, 1 MiB for the backup table. */
export function imageLayout(ukiBytes: number): { espFirst: number; espSectors: number; oemFirst: number; oemSectors: number; totalSectors: number } {
  // FAT's own structures and the directory: 1 MiB beside the file, in whole MiB.
  const espSectors = Math.max(8, Math.ceil(ukiBytes / (1 << 20)) + 1) * MIB_SECTORS;
  const espFirst = GPT_FIRST_LBA;
  const oemFirst = espFirst + espSectors;
  const oemSectors = MIB_SECTORS;
  return { espFirst, espSectors, oemFirst, oemSectors, totalSectors: oemFirst + oemSectors + MIB_SECTORS };
}

export interface InstalledImageInputs {
  stub: string;
  kernel: string;
  initrd: Buffer;
  cmdline: string;
  /** A private directory for the ESP while it is built. */
  work: string;
}

export async function buildInstalledImage(i: InstalledImageInputs): Promise<Buffer> {
  const osrel = 'NAME="Harvester (demo)"\nID=harvester-demo\nPRETTY_NAME="Harvester stand-in (builder rehearse --demo)"\n';
  const uki = assembleUki(await readFile(i.stub), [
    { name: '.osrel', data: Buffer.from(osrel) },
    { name: '.cmdline', data: Buffer.from(`${i.cmdline}\0`) },
    { name: '.linux', data: await readFile(i.kernel) },
    { name: '.initrd', data: i.initrd },
  ]);
  const l = imageLayout(uki.length);
  await mkdir(i.work, { recursive: true, mode: 0o700 });
  const esp = join(i.work, 'esp.img');
  const ukiFile = join(i.work, 'BOOTX64.EFI');
  try {
    await writeFile(ukiFile, uki, { mode: 0o600 });
    const fh = await open(esp, 'w', 0o600);
    await fh.truncate(l.espSectors * SECTOR);
    await fh.close();
    const epoch = Math.floor(Date.now() / 1000);
    await formatFat(esp, { sectors: l.espSectors, label: 'EFI', serial: 0x4e565354, epoch });
    await putFatTree(esp, ['/EFI', '/EFI/BOOT'], [{ src: ukiFile, path: '/EFI/BOOT/BOOTX64.EFI' }], epoch);
    const image = Buffer.alloc(l.totalSectors * SECTOR);
    const gpt = gptTables(l.totalSectors, [
      { name: 'EFI System', type: GPT_TYPES.esp, firstLba: l.espFirst, lastLba: l.espFirst + l.espSectors - 1 },
      { name: OEM_PARTITION, type: GPT_TYPES.linux, firstLba: l.oemFirst, lastLba: l.oemFirst + l.oemSectors - 1 },
    ]);
    gpt.start.copy(image, 0);
    gpt.end.copy(image, image.length - gpt.end.length);
    (await readFile(esp)).copy(image, l.espFirst * SECTOR);
    return image;
  } finally {
    await rm(esp, { force: true });
    await rm(ukiFile, { force: true });
  }
}

/** The image for a rehearsal: trixie's stub, the demo kernel, the node's initramfs with the cluster's credentials and the demo APIs' address. */
export async function demoHarvesterImage(cacheDir: string, kernel: DemoKernel, cluster: { ca: string; rke2Yaml: string }, demoApis: string, work: string): Promise<Buffer> {
  const stub = await ensureSystemdStub(cacheDir);
  const initrd = await buildHarvesterNode(kernel, cluster, demoApis);
  return buildInstalledImage({ stub: stub.stub, kernel: kernel.vmlinuz, initrd, cmdline: 'console=ttyS0 panic=-1 quiet lab.demo=1', work });
}
