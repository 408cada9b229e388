// verifyMedia: structural checks of a Talos medium; an empty list means it looks right.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG_PATH, EMBEDDED_CONFIG_NAME } from './embed-plan.js';
import type { Sidecar } from './embed.js';
import { listEsp } from './esp.js';
import { MediaError } from './errors.js';
import { parseExtensionsYaml, type ExtensionLayer } from './extensions-yaml.js';
import { sha256, sha256File, sha256Range } from './hash.js';
import { scanInitramfs, type InitramfsScan } from './initramfs.js';
import { bootsGrub, bootsUki, GRUB_CFG_PATH, INITRAMFS_PATH, KERNEL_PATH, openTalosMedia, sectionLength, type TalosMedia, type UkiFacts } from './talos-media.js';
import * as mtools from './tools/mtools.js';
import * as xorriso from './tools/xorriso.js';
import { bootChoices, effectiveSection, structureProblems } from './uki-profiles.js';
import * as squashfs from './tools/squashfs.js';

export interface Problem {
  check: string;
  message: string;
}

async function layersOf(label: string, file: string, problems: Problem[]): Promise<{ scan?: InitramfsScan; layers: ExtensionLayer[] }> {
  try {
    // Only the small members are kept: layer images are checked by name, not loaded.
    const scan = await scanInitramfs(file, (n) => n === 'extensions.yaml');
    const yaml = scan.members.get('extensions.yaml');
    const layers = yaml ? parseExtensionsYaml(yaml.toString('utf8')) : [];
    const names = new Set(scan.names.map((n) => n.name));
    for (const l of layers) {
      if (!names.has(l.image)) problems.push({ check: 'extensions', message: `${label}: layer ${l.metadata.name} names ${l.image}, which is not in the initramfs` });
    }
    return { scan, layers };
  } catch (err) {
    problems.push({ check: 'initramfs', message: `${label} cannot be read: ${(err as Error).message}` });
    return { layers: [] };
  }
}

/** Each boot choice's effective .initrd must be /boot/initramfs.xz, byte for byte. */
async function initrdProblems(uki: UkiFacts, biosSha: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const hashes = new Map<number, Promise<string>>();
  for (const choice of bootChoices(uki.structure)) {
    const ref = effectiveSection(uki.structure, choice.profile, '.initrd');
    if (!ref) continue; // structureProblems names it
    const s = uki.pe.sections[ref.index]!;
    if (!hashes.has(ref.index)) hashes.set(ref.index, sha256Range(uki.file, s.fileOffset, sectionLength(s)));
    if ((await hashes.get(ref.index)!) !== biosSha) {
      problems.push({ check: 'uki', message: `${choice.label} of ${uki.espPath} boots an .initrd that differs from ${INITRAMFS_PATH}: BIOS and UEFI boots see different extensions` });
    }
  }
  return problems;
}

/**
 * The ISO 9660 tree's EFI/ and loader/ must equal the ESP's (the imager copies them there,
 * pkg/imager/iso/uefi.go); a stick made by copying the ISO's files boots those.
 */
async function treeCopyProblems(iso: string, media: TalosMedia, work: string): Promise<Problem[]> {
  const inTree = media.iso.files.filter((f) => /^\/(efi|loader)\//i.test(f));
  if (!media.esp || !media.espListing || inTree.length === 0) return [];
  const problems: Problem[] = [];
  const espFiles = media.espListing.files.filter((f) => /^\/(efi|loader)\//i.test(f));
  const pairs: { esp: string; tree: string; espCopy: string; treeCopy: string }[] = [];
  espFiles.forEach((f, i) => {
    const tree = inTree.find((t) => t.toLowerCase() === f.toLowerCase());
    if (!tree) problems.push({ check: 'iso-tree', message: `the ESP's ${f} has no copy in the ISO 9660 tree` });
    else pairs.push({ esp: f, tree, espCopy: join(work, `esp-copy-${i}`), treeCopy: join(work, `tree-copy-${i}`) });
  });
  for (const t of inTree) {
    if (!espFiles.some((f) => f.toLowerCase() === t.toLowerCase())) problems.push({ check: 'iso-tree', message: `the ISO 9660 tree's ${t} is not in the ESP` });
  }
  if (pairs.length === 0) return problems;
  await xorriso.extract(iso, pairs.map((p) => [p.tree, p.treeCopy]));
  for (const p of pairs) {
    if (media.uki && p.esp === media.uki.espPath) p.espCopy = media.uki.file;
    else await mtools.extractFile(media.esp, p.esp, p.espCopy);
    const [a, b] = await Promise.all([sha256File(p.espCopy), sha256File(p.treeCopy)]);
    if (a !== b) problems.push({ check: 'iso-tree', message: `the ISO 9660 tree's ${p.tree} differs from the ESP's: a stick made by copying the ISO's files would boot a different one` });
  }
  return problems;
}

const LOADER_CONF = '/loader/loader.conf';

/**
 * A grub ISO boots UEFI through GRUB's own FAT image, El Torito's UEFI entry (grub-mkrescue's
 * /efi.img): it must hold the removable-media loader.
 */
async function grubEfiProblems(iso: string, media: TalosMedia, work: string): Promise<Problem[]> {
  const path = media.iso.bootEntries.find((e) => e.platform === 'UEFI')?.path;
  if (!path) return [];
  const img = join(work, 'grub-efi.img');
  try {
    await xorriso.extract(iso, [[path, img]]);
    if (!(await listEsp(img)).hasRemovableLoader) return [{ check: 'el-torito', message: `GRUB's UEFI boot image ${path} has no /EFI/BOOT/BOOTX64.EFI` }];
    return [];
  } catch (err) {
    return [{ check: 'el-torito', message: `GRUB's UEFI boot image ${path} cannot be read as FAT: ${(err as Error).message.split('\n')[0]}` }];
  }
}

export async function verifyMedia(file: string): Promise<Problem[]> {
  const problems: Problem[] = [];
  const work = await mkdtemp(join(tmpdir(), 'lab-verify-'));
  try {
    let media;
    try {
      media = await openTalosMedia(file, work);
    } catch (err) {
      if (err instanceof MediaError) return [{ check: 'iso', message: err.message }];
      return [{ check: 'iso', message: `cannot read ${file}: ${(err as Error).message}` }];
    }
    const { iso, bootloader } = media;
    if (!media.version) problems.push({ check: 'version', message: 'no Talos version in the volume label or the UKI .osrel' });
    if (!bootloader) problems.push({ check: 'layout', message: `neither ${GRUB_CFG_PATH} nor an EFI system partition appended as partition 2: not an ISO layout of the Talos imager` });
    if (bootsGrub(bootloader)) {
      for (const p of [KERNEL_PATH, INITRAMFS_PATH]) if (!iso.files.includes(p)) problems.push({ check: 'files', message: `${p} is missing` });
      if (!iso.bootEntries.some((e) => e.platform === 'BIOS')) problems.push({ check: 'el-torito', message: 'no BIOS El Torito boot entry' });
    }
    else if (iso.bootEntries.some((e) => e.platform === 'BIOS')) problems.push({ check: 'files', message: `a BIOS El Torito boot entry but no ${GRUB_CFG_PATH}` });
    if (!iso.bootEntries.some((e) => e.platform === 'UEFI')) problems.push({ check: 'el-torito', message: 'no UEFI El Torito boot entry' });
    if (bootloader === 'grub') problems.push(...(await grubEfiProblems(file, media, work)));
    if (bootsUki(bootloader)) {
      if (iso.esp && iso.esp.end > iso.size) problems.push({ check: 'esp', message: `the ESP ends at byte ${iso.esp.end}, past the end of the image (${iso.size})` });
      if (media.espListing && !media.espListing.hasRemovableLoader) problems.push({ check: 'esp', message: 'the ESP has no /EFI/BOOT/BOOTX64.EFI' });
      if (media.espListing && !media.espListing.files.some((f) => f.toLowerCase() === LOADER_CONF)) problems.push({ check: 'esp', message: `the ESP has no ${LOADER_CONF} (systemd-boot's settings, pkg/imager/iso/uefi.go)` });
      if (media.esp && !media.uki) problems.push({ check: 'uki', message: 'the ESP has no UKI in /EFI/Linux' });
      if (media.uki) {
        for (const p of structureProblems(media.uki.structure, ['.linux', '.initrd', '.cmdline'])) problems.push({ check: 'uki', message: `the UKI ${media.uki.espPath}: ${p}` });
      }
      problems.push(...(await treeCopyProblems(file, media, work)));
    }
    // The initramfs every boot sees: /boot/initramfs.xz where GRUB boots; on an sd-boot ISO the UKI's .initrd.
    const booted = media.initramfs ? { label: INITRAMFS_PATH, file: media.initramfs } : bootloader === 'sd-boot' && media.uki?.initrd ? { label: `the .initrd of ${media.uki.espPath}`, file: media.uki.initrd } : undefined;
    const bios = booted ? await layersOf(booted.label, booted.file, problems) : { layers: [] as ExtensionLayer[] };
    if (media.initramfs && media.uki) problems.push(...(await initrdProblems(media.uki, await sha256File(media.initramfs))));
    const embedded = bios.layers.find((l) => l.metadata.name === EMBEDDED_CONFIG_NAME);
    const image = embedded && booted && bios.scan ? (await scanInitramfs(booted.file, (n) => n === embedded.image)).members.get(embedded.image) : undefined;
    if (embedded && image) {
      const sqsh = join(work, 'embedded.sqsh');
      await writeFile(sqsh, image);
      try {
        const config = await squashfs.unsquashfsCat(sqsh, CONFIG_PATH);
        if (sha256(config) !== embedded.metadata.version) {
          problems.push({ check: 'embedded-config', message: `the embedded config's sha256 does not match the layer version ${embedded.metadata.version}` });
        }
      } catch (err) {
        problems.push({ check: 'embedded-config', message: `the embedded-config layer has no readable ${CONFIG_PATH}: ${(err as Error).message.split('\n')[0]}` });
      }
    }
    let sidecar: Sidecar | undefined;
    try {
      sidecar = JSON.parse(await readFile(`${file}.json`, 'utf8')) as Sidecar;
    } catch {
      sidecar = undefined;
    }
    if (sidecar?.bootloader && bootloader && sidecar.bootloader !== bootloader) {
      problems.push({ check: 'sidecar', message: `${file}.json records bootloader ${sidecar.bootloader}, but this ISO is ${bootloader}` });
    }
    if (sidecar?.output?.sha256) {
      const actual = await sha256File(file);
      if (actual !== sidecar.output.sha256) problems.push({ check: 'sidecar', message: `sha256 ${actual} differs from ${sidecar.output.sha256} recorded in ${file}.json` });
    }
    return problems;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
