import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { assembleUki, formatFat, gptTables, GPT_FIRST_LBA, GPT_TYPES, putFatTree } from '@lab/iso';
import { ensureTrixie } from '../../demo-bases/index.js';
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

export interface DemoStub {
  /** The trixie package versions it came from. */
  pkg: string;
  stub: string;
}

/** Debian trixie's systemd-stub 257 (systemd-boot-efi), from the same fetch as the demo Talos base's parts. */
export async function ensureSystemdStub(cacheDir: string): Promise<DemoStub> {
  const trixie = await ensureTrixie(cacheDir);
  return { pkg: trixie.versions.split('\n').find((d) => d.startsWith('systemd-boot-efi')) ?? trixie.versions, stub: trixie.stub };
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
