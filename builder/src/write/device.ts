import { readFile, readdir, readlink, realpath, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';

/**
 * What the kernel says about a block device, read from sysfs and procfs. The roots are injectable
 * so tests can describe a device (a loop device standing in for a USB stick) without hardware.
 */
export interface SystemRoots {
  sys: string;
  proc: string;
}

export const REAL_ROOTS: SystemRoots = { sys: '/sys', proc: '/proc' };

export interface DeviceInfo {
  /** The path as given and its resolved form (/dev/disk/by-id/… → /dev/sdb). */
  path: string;
  realPath: string;
  isBlockDevice: boolean;
  /** Kernel name, such as sdb or loop3. */
  name?: string;
  /** Set when the path is a partition: the whole disk's kernel name. */
  partitionOf?: string;
  /** sysfs `removable`, or the device hangs off a USB bus. */
  removable: boolean;
  usb: boolean;
  readOnly: boolean;
  sizeBytes?: number;
  partitions: string[];
  /** Mounts and swap areas on the disk or its partitions. */
  mounts: { source: string; target: string }[];
  /** Device-mapper, RAID or LVM users of the disk or its partitions. */
  holders: string[];
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

/** Linux dev_t encoding (glibc's major/minor macros). */
export function devMajorMinor(rdev: number): { major: number; minor: number } {
  const hi = Math.floor(rdev / 2 ** 32);
  const lo = rdev >>> 0;
  const major = ((lo >>> 8) & 0xfff) | ((hi & 0xfffff000) >>> 0);
  const minor = (lo & 0xff) | ((lo >>> 12) & 0xfff00);
  return { major, minor };
}

/** `/proc/mounts` lines: source, target (octal escapes such as \040 decoded). */
export function parseMounts(text: string): { source: string; target: string }[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 2 && f[0] !== '')
    .map((f) => ({ source: unescape(f[0]!), target: unescape(f[1]!) }));
}

/** `/proc/swaps`: the first column of every line after the header. */
export function parseSwaps(text: string): string[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((s) => s !== '');
}

async function resolveSource(source: string): Promise<string> {
  if (!source.startsWith('/')) return source;
  try {
    return await realpath(source);
  } catch {
    return source;
  }
}

export async function inspectDevice(path: string, roots: SystemRoots = REAL_ROOTS): Promise<DeviceInfo> {
  const realPath = await realpath(path);
  const st = await stat(realPath);
  const info: DeviceInfo = { path, realPath, isBlockDevice: st.isBlockDevice(), removable: false, usb: false, readOnly: false, partitions: [], mounts: [], holders: [] };
  if (!info.isBlockDevice) return info;
  const { major, minor } = devMajorMinor(st.rdev);
  let name: string;
  try {
    name = basename(await readlink(join(roots.sys, 'dev', 'block', `${major}:${minor}`)));
  } catch {
    name = basename(realPath);
  }
  info.name = name;
  const classDir = join(roots.sys, 'class', 'block', name);
  if ((await readText(join(classDir, 'partition'))) !== undefined) {
    try {
      info.partitionOf = basename(join(await realpath(classDir), '..'));
    } catch {
      info.partitionOf = '?';
    }
    return info;
  }
  const dir = join(roots.sys, 'block', name);
  info.removable = (await readText(join(dir, 'removable'))) === '1';
  try {
    info.usb = /\/usb\d*\//.test(await realpath(dir));
  } catch {
    info.usb = false;
  }
  info.readOnly = (await readText(join(dir, 'ro'))) === '1';
  const sectors = await readText(join(dir, 'size'));
  // sysfs `size` counts 512-byte sectors whatever the device's logical block size.
  if (sectors !== undefined && /^\d+$/.test(sectors)) info.sizeBytes = Number(sectors) * 512;
  const entries = await readdir(dir).catch((): string[] => []);
  info.partitions = entries.filter((e) => e.startsWith(name) && e !== name).sort();
  for (const part of [name, ...info.partitions]) {
    const holderDir = part === name ? join(dir, 'holders') : join(dir, part, 'holders');
    try {
      for (const h of await readdir(holderDir)) info.holders.push(part === name ? h : `${h} (on ${part})`);
    } catch {
      // no holders directory: nothing stacked on it
    }
  }
  const ours = new Set([name, ...info.partitions].map((n) => `/dev/${n}`));
  ours.add(realPath);
  const mountsText = (await readText(join(roots.proc, 'self', 'mounts'))) ?? (await readText(join(roots.proc, 'mounts'))) ?? '';
  for (const m of parseMounts(mountsText)) {
    if (ours.has(await resolveSource(m.source))) info.mounts.push(m);
  }
  for (const s of parseSwaps((await readText(join(roots.proc, 'swaps'))) ?? '')) {
    if (ours.has(await resolveSource(s))) info.mounts.push({ source: s, target: '[swap]' });
  }
  return info;
}
