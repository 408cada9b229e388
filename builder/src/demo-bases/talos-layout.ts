// A Talos v1.12 ISO laid out as Talos's imager lays it out (pkg/imager/iso, the kind picked by
// pkg/imager/out.go outISO from the ISO output's `bootloader`), from parts it is given:
// - dual-boot (hybrid.go, the default): grub-mkrescue for BIOS only, the ESP appended as GPT
//   partition 2 for UEFI;
// - grub (grub.go): grub-mkrescue alone, for BIOS and UEFI (GRUB's own /efi.img), no UKI;
// - sd-boot (uefi.go): xorrisofs with the ESP appended as MBR partition 2, UEFI only, no /boot.
// The parts: /boot/vmlinuz, /boot/initramfs.xz (whatever compression it is given; Talos v1.12's is
// zstd), /boot/grub/grub.cfg with the Reset entry, an ESP (FAT32 labelled EFI) with systemd-boot
// 257 as EFI/BOOT/BOOTX64.EFI, loader/loader.conf and a multi-profile UKI built by ukify 257
// (trixie.ts), and EFI/ + loader/ copied into the ISO 9660 tree. The demo Talos base and the
// tests' stand-in ISOs are both built here.
// Not modelled: Talos's own GRUB build (Debian's grub-mkrescue lays it out the same way), the
// UKI's .splash (ukify needs a BMP; Talos's comes from its source tree) and the SBAT text Talos
// merges, Secure Boot signing, GRUB's graphical setup (a serial terminal is added).
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, copyFile, cp, mkdir, mkdtemp, open, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TrixieParts } from './trixie.js';
import { grubMkrescueArgs } from './tools/grub.js';
import { mcopyTrees } from './tools/mtools.js';
import { mkfsFat32 } from './tools/vfat.js';
import { ukifyBuild } from './tools/ukify.js';
import { xorrisofs } from './tools/xorriso.js';

export type TalosLayoutKind = 'dual-boot' | 'grub' | 'sd-boot';

/** The reset entry's extra argument (GRUB's "Reset Talos installation", the UKI's `reset` profile). */
export const WIPE_ARG = 'talos.experimental.wipe=system';

export interface TalosLayoutInputs {
  /** Where the ISO goes (written beside it under a temporary name, then renamed). */
  out: string;
  bootloader: TalosLayoutKind;
  /** The Talos version it claims (os-release VERSION_ID, the UKI's file name). */
  version: string;
  /** The volume set id, e.g. `Talos-v1.12.0` (the imager's label); the volume id is its upper-case form. */
  label: string;
  kernel: { vmlinuz: string; version: string };
  initramfs: Buffer;
  /** The command line of the default entry (the reset entry adds WIPE_ARG). */
  cmdline: string;
  /** systemd 257's stub, boot manager and ukify (unused for a grub ISO). */
  trixie?: TrixieParts;
  /** Extra bytes of random content in /padding.bin (a large ISO for benchmarks). */
  padBytes?: number;
  /** Changes the UKI file before it goes into the ESP (the tests' hostile variants). */
  editUki?: (uki: string) => Promise<void>;
  /** Mode of the written ISO (default 0644). */
  mode?: number;
}

/** The imager's volume id for a label: `Talos-v1.12.0` → `TALOS_V1_12_0`. */
export function volumeIdOf(label: string): string {
  return label.toUpperCase().replace(/[-.]/g, '_');
}

/** Builds the ISO at `o.out` and returns it. */
export async function buildTalosLayoutIso(o: TalosLayoutInputs): Promise<string> {
  await mkdir(dirname(o.out), { recursive: true });
  const work = await mkdtemp(`${o.out}.work-`);
  try {
    const scratch = join(work, 'iso');
    await mkdir(scratch, { recursive: true });
    const withGrub = o.bootloader !== 'sd-boot';
    if (withGrub) await writeGrubTree(scratch, o.initramfs, o.kernel.vmlinuz, o.cmdline);
    if (o.padBytes) await writeRandom(join(scratch, 'padding.bin'), o.padBytes);
    const volid = volumeIdOf(o.label);
    const tmpIso = join(work, 'out.iso');
    if (o.bootloader !== 'grub') {
      if (!o.trixie) throw new Error('a UKI needs systemd 257 (trixie parts)');
      const esp = await buildEsp(o, o.trixie, work, scratch);
      if (o.bootloader === 'dual-boot') {
        // The arguments of Talos's pkg/imager/iso/hybrid.go, with the label of iso.go.
        await grubMkrescueArgs([
          '--compress=xz', `--output=${tmpIso}`, '--directory=/usr/lib/grub/i386-pc',
          '-iso-level', '3', scratch,
          '-eltorito-alt-boot', '-e', '--interval:appended_partition_2:all::',
          '-append_partition', '2', '0xef', esp, '-appended_part_as_gpt',
          '-partition_cyl_align', 'all', '-partition_offset', '16', '-iso_mbr_part_type', '0x83',
          '-no-emul-boot', '-volid', volid, '-volset', o.label, '--',
        ]);
      } else {
        // pkg/imager/iso/uefi.go: xorrisofs, the ESP as (MBR) partition 2 and El Torito's only entry.
        await copyFile(esp, join(scratch, 'efiboot.img'));
        await xorrisofs([
          '-e', '--interval:appended_partition_2:all::', '-append_partition', '2', '0xef', esp,
          '-partition_cyl_align', 'all', '-partition_offset', '16', '-iso_mbr_part_type', '0x83',
          '-no-emul-boot', '-m', 'efiboot.img', '-iso-level', '3', '-o', tmpIso, scratch,
          '-volid', volid, '-volset', o.label, '--',
        ]);
      }
    } else {
      // pkg/imager/iso/grub.go: grub-mkrescue for every GRUB platform installed (here i386-pc and
      // x86_64-efi: BIOS, and UEFI through GRUB's own /efi.img).
      await grubMkrescueArgs(['--compress=xz', `--output=${tmpIso}`, scratch, '-iso-level', '3', '-volid', volid, '-volset', o.label, '--']);
    }
    await chmod(tmpIso, o.mode ?? 0o644);
    await rename(tmpIso, o.out);
    return o.out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function writeRandom(file: string, bytes: number): Promise<void> {
  // Random content, so nothing along the way can compress it away.
  const s = createWriteStream(file);
  for (let left = bytes; left > 0; left -= 1 << 20) {
    if (!s.write(randomBytes(Math.min(left, 1 << 20)))) await new Promise<void>((r) => s.once('drain', () => r()));
  }
  await new Promise<void>((resolve, reject) => s.end((err?: Error | null) => (err ? reject(err) : resolve())));
}

/** /boot as pkg/imager/iso/grub.go lays it out: the kernel, the initramfs and grub.cfg. */
async function writeGrubTree(scratch: string, initramfs: Buffer, vmlinuz: string, cmdline: string): Promise<void> {
  await mkdir(join(scratch, 'boot/grub'), { recursive: true });
  await writeFile(join(scratch, 'boot/initramfs.xz'), initramfs);
  await copyFile(vmlinuz, join(scratch, 'boot/vmlinuz'));
  // pkg/imager/iso/grub.cfg with the Reset entry (AddResetOption), plus a serial terminal.
  const entry = (title: string, extra: string) => [`menuentry "${title}" {`, '\tset gfxmode=auto', '\tset gfxpayload=text', `\tlinux /boot/vmlinuz ${cmdline}${extra}`, '\tinitrd /boot/initramfs.xz', '}', ''];
  await writeFile(
    join(scratch, 'boot/grub/grub.cfg'),
    ['set default=0', 'set timeout=3', '', 'insmod all_video', '', 'serial --unit=0 --speed=115200', 'terminal_input serial console', 'terminal_output serial console', '', ...entry('Talos ISO', ''), ...entry('Reset Talos installation', ` ${WIPE_ARG}`)].join('\n'),
  );
}

// pkg/imager/iso/loader.conf.tmpl with SecureBootEnroll "off" (pkg/imager/out.go, non-SB ISO).
const LOADER_CONF = '# systemd-boot configuration\n\ntimeout 10\n\nsecure-boot-enroll off\n';

/** The UKI and the ESP holding it (and EFI/ + loader/ copied into the ISO tree); returns the ESP image. */
async function buildEsp(o: TalosLayoutInputs, t: TrixieParts, work: string, scratch: string): Promise<string> {
  // The UKI, assembled by systemd 257's ukify with its stub in Talos's section order
  // (internal/pkg/uki/generate.go): .osrel .cmdline .uname .linux .initrd, the stub's .sbat
  // merged in place, then `.profile` ID=main (no sections of its own) and `.profile` ID=reset
  // with its own full .cmdline (pkg/imager/imager.go buildUKI: base + talos.experimental.wipe=system).
  const osrel = join(work, 'os-release');
  await writeFile(osrel, `NAME="Talos"\nID=talos\nVERSION_ID=${o.version}\nPRETTY_NAME="Talos (${o.version})"\n`);
  await writeFile(join(work, 'cmdline'), o.cmdline);
  await writeFile(join(work, 'cmdline-reset'), `${o.cmdline} ${WIPE_ARG}`);
  await writeFile(join(work, 'initrd'), o.initramfs);
  const ukiName = `Talos-${o.version}.efi`;
  const uki = join(work, ukiName);
  const resetPe = join(work, 'profile-reset.efi');
  await ukifyBuild(t.ukify, ['--stub', t.addonStub, '--profile', 'ID=reset\nTITLE=Reset system disk', '--cmdline', `@${join(work, 'cmdline-reset')}`, '--output', resetPe], work);
  await ukifyBuild(t.ukify, [
    '--stub', t.stub, '--linux', o.kernel.vmlinuz, '--initrd', join(work, 'initrd'), '--cmdline', `@${join(work, 'cmdline')}`, '--os-release', `@${osrel}`,
    '--uname', o.kernel.version, '--profile', 'ID=main', '--join-profile', resetPe, '--output', uki,
  ], work);
  if (o.editUki) await o.editUki(uki);

  // ESP as pkg/imager/iso/uefi.go builds it: FAT32 labelled EFI, 10 MiB plus the boot manager and
  // the UKI rounded up to MiB, holding EFI/BOOT/BOOTX64.EFI (systemd-boot 257), EFI/Linux/ and
  // loader/loader.conf from loader.conf.tmpl (secure-boot-enroll off: not a Secure Boot ISO).
  // The same EFI/ and loader/ trees are in the ISO 9660 tree (xorrisofs excludes only efiboot.img).
  const tree = join(work, 'esp-tree');
  await mkdir(join(tree, 'EFI/BOOT'), { recursive: true });
  await mkdir(join(tree, 'EFI/Linux'), { recursive: true });
  await mkdir(join(tree, 'loader'), { recursive: true });
  await copyFile(t.sdboot, join(tree, 'EFI/BOOT/BOOTX64.EFI'));
  await copyFile(uki, join(tree, 'EFI/Linux', ukiName));
  await writeFile(join(tree, 'loader/loader.conf'), LOADER_CONF);
  const esp = join(work, 'efiboot.img');
  const mib = 1 << 20;
  const espBytes = 10 * mib + Math.ceil((await stat(t.sdboot)).size / mib) * mib + Math.ceil((await stat(uki)).size / mib) * mib;
  // FAT32 needs 65525 clusters (32 MiB at 512-byte clusters) or mtools cannot read it; a real
  // Talos ESP is ~110 MiB (its UKI carries the whole initramfs), a smaller one is raised to 40 MiB.
  const fh = await open(esp, 'w');
  await fh.truncate(Math.max(espBytes, 40 * mib));
  await fh.close();
  await mkfsFat32(esp, 'EFI', '5a105e00');
  await mcopyTrees(esp, [join(tree, 'EFI'), join(tree, 'loader')]);
  await cp(join(tree, 'EFI'), join(scratch, 'EFI'), { recursive: true });
  await cp(join(tree, 'loader'), join(scratch, 'loader'), { recursive: true });
  return esp;
}
