import type { Disk, Host } from './schema.js';

/**
 * Disk facts of a host: sizes in bytes, which stated disk is the install disk, and the
 * `/dev/disk/by-id/…` name udev gives it. Pure.
 */

const UNIT: Record<string, number> = { MB: 1e6, GB: 1e9, TB: 1e12, MiB: 2 ** 20, GiB: 2 ** 30, TiB: 2 ** 40 };
export const GIB = 2 ** 30;

/** `1TB` → 10^12, `931GiB` → 931·2^30 (drives are sold in decimal units). */
export function sizeBytes(size: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(MB|GB|TB|MiB|GiB|TiB)$/.exec(size);
  if (!m) throw new Error(`not a size: ${size} (the lab was not validated)`);
  return Number(m[1]) * UNIT[m[2]!]!;
}

/**
 * Memory as the DIMMs add up: memory is sold in binary units, so `96GB` of RAM is 96 GiB (which
 * is also how dmidecode's "Range Size: 96 GB" counts it, and what Harvester's check sums).
 */
export function memoryBytes(size: string): number {
  return sizeBytes(size.replace(/([MGT])B$/, '$1iB'));
}

/** Whole GiB, rounded down as Harvester's `util.ByteToGi` does. */
export function wholeGib(bytes: number): number {
  return Math.floor(bytes / GIB);
}

/** The stated disk the host installs to: matched by WWN, serial or path, else its only disk. */
export function installDiskOf(host: Host): { disk: Disk; index: number } | undefined {
  const sel = host.installDisk;
  const index = host.disks.findIndex(
    (d) => sel !== undefined && ((sel.wwn !== undefined && d.wwn === sel.wwn) || (sel.serial !== undefined && d.serial === sel.serial) || (sel.path !== undefined && d.path === sel.path)),
  );
  if (index >= 0) return { disk: host.disks[index]!, index };
  return host.disks.length === 1 ? { disk: host.disks[0]!, index: 0 } : undefined;
}

/** udev's `string_escape=replace`: whitespace and characters a link name cannot hold become `_`. */
function udevEscape(s: string): string {
  return s.trim().replace(/[^0-9A-Za-z#+\-.:=@_]/g, '_');
}

/**
 * The install disk's `/dev/disk/by-id/` link, when the lab names the disk well enough.
 *
 * From systemd's `rules.d/60-persistent-storage.rules(.in)`: an NVMe namespace gets
 * `nvme-$attr{wwid}` (`nvme-eui.…`, `nvme-nvme.…`: the WWN lsblk shows) and
 * `nvme-<model>_<serial>` (model escaped, `_<nsid>` added in newer releases); current systemd
 * keeps the model_serial links only "for backward compatibility" and notes they can be taken over
 * when another NVMe controller is added. NVMe gets no `wwn-` link (only SCSI/ATA set
 * ID_WWN_WITH_EXTENSION); a SATA disk gets `wwn-<wwn>` and `ata-<model>_<serial>`. So the WWN is
 * the robust name and comes first; model and serial are the fallback.
 *
 * Harvester accepts such a link: harvester-installer v1.5.0 `pkg/console/validator.go`
 * (checkDevice) resolves a symlinked `install.device` before comparing it with the disks it
 * found, and `pkg/config/cos.go` resolves it again for the installer's target.
 */
export function installDiskById(host: Host): string | undefined {
  const sel = host.installDisk;
  if (!sel) return undefined;
  const stated = installDiskOf(host)?.disk;
  const wwn = sel.wwn ?? stated?.wwn;
  const serial = sel.serial ?? stated?.serial;
  const model = sel.model ?? stated?.model;
  const type = sel.type ?? stated?.type;
  const path = sel.path ?? stated?.path ?? '';
  const nvme = type === 'nvme' || /^\/dev\/nvme/.test(path) || (wwn !== undefined && /^(eui|nvme|uuid)\./.test(wwn));
  if (wwn !== undefined) return `/dev/disk/by-id/${nvme ? 'nvme' : 'wwn'}-${wwn}`;
  if (serial !== undefined && model !== undefined && (nvme || type === 'ssd' || type === 'hdd')) {
    return `/dev/disk/by-id/${nvme ? 'nvme' : 'ata'}-${udevEscape(model)}_${serial}`;
  }
  return undefined;
}

/** The device an installer is told (Harvester, Tinkerbell): the by-id link when known, else the lab's path. */
export function installDevice(host: Host): string | undefined {
  return installDiskById(host) ?? host.installDisk?.path;
}
