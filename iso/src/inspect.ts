// inspectMedia: what a Talos medium carries. The embedded config is returned as it is — the
// caller redacts before showing it.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMBEDDED_CONFIG_NAME, CONFIG_PATH } from './embed-plan.js';
import { parseExtensionsYaml, type ExtensionLayer } from './extensions-yaml.js';
import { scanInitramfs } from './initramfs.js';
import { openTalosMedia, type Bootloader } from './talos-media.js';
import * as squashfs from './tools/squashfs.js';
import type { Sidecar } from './embed.js';
import { grubEntries, ukiEntries, type BootEntry } from './boot-entries.js';

export type BootMode = 'bios' | 'uefi';

export interface MediaInfo {
  file: string;
  kind: 'talos-iso';
  /** dual-boot, grub or sd-boot (the imager's ISO kinds); undefined for other layouts. */
  bootloader?: Bootloader;
  /** From the sidecar `<file>.json` when present. */
  target?: string;
  talosVersion?: string;
  secureBoot: boolean;
  volumeId: string;
  bootModes: BootMode[];
  layers: ExtensionLayer[];
  /** The embedded machine config, verbatim (secrets included). */
  embeddedConfig?: Buffer;
  uki?: string;
  /** Every GRUB entry and UKI profile with the command line it boots. */
  bootEntries: BootEntry[];
}

async function readSidecar(file: string): Promise<Sidecar | undefined> {
  try {
    return JSON.parse(await readFile(`${file}.json`, 'utf8')) as Sidecar;
  } catch {
    return undefined;
  }
}

export async function inspectMedia(file: string): Promise<MediaInfo> {
  const work = await mkdtemp(join(tmpdir(), 'lab-inspect-'));
  try {
    const media = await openTalosMedia(file, work);
    const bootModes: BootMode[] = [];
    if (media.iso.bootEntries.some((e) => e.platform === 'BIOS')) bootModes.push('bios');
    // UEFI boots systemd-boot from the appended ESP, or on a grub ISO GRUB from its /efi.img.
    if (media.iso.bootEntries.some((e) => e.platform === 'UEFI') && (media.espListing?.hasRemovableLoader || media.bootloader === 'grub')) bootModes.push('uefi');
    const info: MediaInfo = {
      file,
      kind: 'talos-iso',
      ...(media.bootloader ? { bootloader: media.bootloader } : {}),
      talosVersion: media.version?.text,
      secureBoot: media.secureBoot,
      volumeId: media.iso.volumeId,
      bootModes,
      layers: [],
      uki: media.uki?.espPath,
      bootEntries: [
        ...(media.grubCfg ? grubEntries(await readFile(media.grubCfg, 'utf8')) : []),
        ...(media.uki ? ukiEntries(media.uki.structure, media.uki.texts) : []),
      ],
    };
    const sidecar = await readSidecar(file);
    if (sidecar?.target) info.target = sidecar.target;
    // Where GRUB boots, /boot/initramfs.xz; on an sd-boot ISO the UKI's .initrd.
    const initramfs = media.initramfs ?? media.uki?.initrd;
    if (initramfs) {
      const scan = await scanInitramfs(initramfs, (n) => n === 'extensions.yaml');
      const yaml = scan.members.get('extensions.yaml');
      info.layers = yaml ? parseExtensionsYaml(yaml.toString('utf8')) : [];
      const embedded = info.layers.find((l) => l.metadata.name === EMBEDDED_CONFIG_NAME);
      if (embedded) {
        const images = await scanInitramfs(initramfs, (n) => n === embedded.image);
        const image = images.members.get(embedded.image);
        if (image) {
          const sqsh = join(work, 'embedded.sqsh');
          await writeFile(sqsh, image);
          info.embeddedConfig = await squashfs.unsquashfsCat(sqsh, CONFIG_PATH);
        }
      }
    }
    return info;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
