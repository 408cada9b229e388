// Opens a Talos ISO for reading: its facts, the Talos version, its kind (bootloader), the Secure
// Boot signs, and copies of /boot/initramfs.xz, the ESP and the UKI in a work directory (never the
// whole ISO in memory).
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { copyRange, listEsp, type EspListing } from './esp.js';
import { MediaError } from './errors.js';
import { readIsoFacts, type IsoFacts } from './iso-facts.js';
import { parsePe, type PeInfo, type PeSection } from './pe.js';
import { ukiStructure, type UkiStructure } from './uki-profiles.js';
import { versionFromLabels, versionFromOsRelease, type TalosVersion } from './talos-version.js';
import * as mtools from './tools/mtools.js';
import * as xorriso from './tools/xorriso.js';

export const INITRAMFS_PATH = '/boot/initramfs.xz';
export const KERNEL_PATH = '/boot/vmlinuz';
export const GRUB_CFG_PATH = '/boot/grub/grub.cfg';

/**
 * The ISO kinds Talos v1.12's imager builds (pkg/imager/out.go outISO, by the ISO output's
 * `bootloader`): dual-boot (iso/hybrid.go: GRUB for BIOS, systemd-boot and a UKI on an appended
 * ESP for UEFI), grub (iso/grub.go: grub-mkrescue alone, GRUB for BIOS and UEFI, no UKI) and
 * sd-boot (iso/uefi.go: UEFI only, the appended ESP and its UKI, no /boot tree).
 */
export type Bootloader = 'dual-boot' | 'grub' | 'sd-boot';

/** The kind by layout: GRUB's /boot/grub/grub.cfg in the tree, an ESP appended as partition 2. Pure. */
export function bootloaderOf(iso: Pick<IsoFacts, 'files' | 'esp'>): Bootloader | undefined {
  const grub = iso.files.includes(GRUB_CFG_PATH);
  if (grub) return iso.esp ? 'dual-boot' : 'grub';
  return iso.esp ? 'sd-boot' : undefined;
}

/** Whether this kind boots the UKI (UEFI through systemd-boot), and whether it boots GRUB's /boot tree. */
export const bootsUki = (b: Bootloader | undefined): boolean => b === 'dual-boot' || b === 'sd-boot';
export const bootsGrub = (b: Bootloader | undefined): boolean => b === 'dual-boot' || b === 'grub';

export interface UkiFacts {
  /** Path inside the ESP, e.g. /EFI/Linux/Talos-v1.12.0.efi. */
  espPath: string;
  file: string;
  pe: PeInfo;
  /** Base sections and profiles, as systemd-stub reads them. */
  structure: UkiStructure;
  /** Text of every small text section (.cmdline, .profile, .osrel, .uname) by section index. */
  texts: Map<number, string>;
  /** The base's .initrd, copied out (absent when the base has none). */
  initrd?: string;
  osRelease?: string;
  signed: boolean;
}

export interface TalosMedia {
  iso: IsoFacts;
  /** Undefined when the layout is none of the imager's. */
  bootloader?: Bootloader;
  version?: TalosVersion;
  secureBoot: boolean;
  /** Why it reads as a Secure Boot image (label, signed UKI, enrolled keys). */
  secureBootSigns: string[];
  initramfs?: string;
  /** /boot/grub/grub.cfg, copied out. */
  grubCfg?: string;
  esp?: string;
  espListing?: EspListing;
  uki?: UkiFacts;
}

/** A section's content length: VirtualSize, unless the raw data is shorter (the rest is zeros). */
export function sectionLength(s: PeSection): number {
  return s.virtualSize > 0 ? Math.min(s.virtualSize, s.rawSize || s.virtualSize) : s.rawSize;
}

async function sectionToFile(file: string, s: PeSection, dest: string): Promise<void> {
  await copyRange(file, s.fileOffset, s.fileOffset + sectionLength(s), dest);
}

const TEXT_SECTIONS = new Set(['.cmdline', '.profile', '.osrel', '.uname']);

async function readHead(file: string, n: number, at = 0): Promise<Buffer> {
  const fh = await open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, at);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface OpenHooks {
  /** Called as soon as /boot/initramfs.xz is on disk, while the ESP is still being read. */
  initramfsReady?: (file: string) => void;
}

export async function openTalosMedia(path: string, work: string, hooks: OpenHooks = {}): Promise<TalosMedia> {
  const iso = await readIsoFacts(path);
  const labels = versionFromLabels(iso.volumeSetId, iso.volumeId);
  const signs: string[] = [];
  if (labels.secureBoot) signs.push(`volume label ${iso.volumeSetId || iso.volumeId}`);
  const media: TalosMedia = { iso, bootloader: bootloaderOf(iso), version: labels.version, secureBoot: false, secureBootSigns: signs };

  // The initramfs comes out of the ISO while the ESP chain (copy, list, UKI, sections) runs.
  const initramfs = iso.files.includes(INITRAMFS_PATH) ? join(work, 'initramfs.xz') : undefined;
  const grubCfg = iso.files.includes(GRUB_CFG_PATH) ? join(work, 'grub.cfg') : undefined;
  const readInitramfs = async () => {
    if (!initramfs && !grubCfg) return;
    await xorriso.extract(path, [...(initramfs ? [[INITRAMFS_PATH, initramfs] as [string, string]] : []), ...(grubCfg ? [[GRUB_CFG_PATH, grubCfg] as [string, string]] : [])]);
    media.grubCfg = grubCfg;
    if (!initramfs) return;
    media.initramfs = initramfs;
    hooks.initramfsReady?.(initramfs);
  };
  const readEsp = async () => {
    if (!iso.esp) return;
    const esp = join(work, 'esp.img');
    await copyRange(path, iso.esp.start, iso.esp.end, esp);
    media.esp = esp;
    media.espListing = await listEsp(media.esp);
    if (media.espListing.files.some((f) => /^\/loader\/keys\//i.test(f))) signs.push('Secure Boot keys in /loader/keys');
    const ukiPath = media.espListing.ukis[0];
    if (ukiPath) {
      const file = join(work, 'uki.efi');
      await mtools.extractFile(media.esp, ukiPath, file);
      const pe = parsePe(await readHead(file, 8192));
      const texts = new Map<number, string>();
      for (const [i, s] of pe.sections.entries()) {
        if (TEXT_SECTIONS.has(s.name)) texts.set(i, (await readHead(file, Math.min(sectionLength(s), 65536), s.fileOffset)).toString('utf8').replace(/\0+$/, ''));
      }
      const structure = ukiStructure(pe.sections, (i) => texts.get(i) ?? '');
      const uki: UkiFacts = { espPath: ukiPath, file, pe, structure, texts, signed: pe.certificateTableSize > 0 };
      if (uki.signed) signs.push(`signed UKI ${ukiPath}`);
      const initrd = structure.base.find((s) => s.name === '.initrd');
      if (initrd) {
        uki.initrd = join(work, 'uki-initrd');
        await sectionToFile(file, pe.sections[initrd.index]!, uki.initrd);
      }
      const osrel = structure.base.find((s) => s.name === '.osrel');
      if (osrel) {
        uki.osRelease = texts.get(osrel.index);
        media.version ??= versionFromOsRelease(uki.osRelease ?? '');
      }
      media.uki = uki;
    }
  };
  const results = await Promise.allSettled([readInitramfs(), readEsp()]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  media.secureBoot = signs.length > 0;
  if (!media.version && !iso.files.includes(KERNEL_PATH) && !media.uki) {
    throw new MediaError('not-talos', `${path} does not look like a Talos ISO: no ${KERNEL_PATH}, no UKI, no Talos volume label`, 'give a Talos metal ISO (metal-amd64.iso from the Image Factory)');
  }
  return media;
}
