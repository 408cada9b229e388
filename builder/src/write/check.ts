import type { DeviceInfo } from './device.js';

/** Mount points that make a disk the running system's own. */
const SYSTEM_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/efi', '/usr', '/var', '/home', '[swap]']);

export interface Refusal {
  reason: string;
  fix: string;
}

const gib = (n: number) => `${(n / 1024 ** 3).toFixed(2)} GiB`;

/**
 * Why a device must not be written with an image of `imageBytes`, in the operator's words.
 * Pure: it decides from what `inspectDevice` read. An empty list means the device is acceptable.
 */
export function refusals(d: DeviceInfo, imageBytes: number): Refusal[] {
  const out: Refusal[] = [];
  if (!d.isBlockDevice) {
    return [{ reason: `${d.path} is not a block device`, fix: 'name the USB stick itself, such as /dev/sdb (lsblk lists them); to make an image file, copy the .iso instead' }];
  }
  if (d.partitionOf !== undefined) {
    return [{ reason: `${d.path} is a partition of /dev/${d.partitionOf}`, fix: `write to the whole disk (/dev/${d.partitionOf}), not a partition` }];
  }
  const system = d.mounts.filter((m) => SYSTEM_MOUNTS.has(m.target));
  if (system.length > 0) {
    out.push({ reason: `${d.path} is a system disk (${system.map((m) => `${m.source} on ${m.target}`).join(', ')})`, fix: 'pick the USB stick, not a disk of this computer (lsblk shows which is which)' });
  } else if (d.holders.length > 0) {
    out.push({ reason: `${d.path} is in use by ${d.holders.join(', ')} (LVM, RAID or encryption)`, fix: 'pick another device; this one backs a volume of this computer' });
  }
  const other = d.mounts.filter((m) => !SYSTEM_MOUNTS.has(m.target));
  if (other.length > 0) {
    out.push({ reason: `${d.path} is mounted (${other.map((m) => `${m.source} on ${m.target}`).join(', ')})`, fix: `unmount it first: ${other.map((m) => `umount ${m.target}`).join('; ')}` });
  }
  if (!d.removable && !d.usb) {
    out.push({ reason: `${d.path} is not a removable or USB disk`, fix: 'builder write only writes USB sticks and other removable media; check the device name with lsblk' });
  }
  if (d.readOnly) out.push({ reason: `${d.path} is read-only`, fix: 'check the stick’s write-protect switch' });
  if (d.sizeBytes === undefined) {
    out.push({ reason: `the size of ${d.path} is unknown`, fix: 'check that the device is present (lsblk)' });
  } else if (d.sizeBytes < imageBytes) {
    out.push({ reason: `${d.path} holds ${gib(d.sizeBytes)}, smaller than the image (${gib(imageBytes)})`, fix: 'use a larger stick' });
  }
  return out;
}
