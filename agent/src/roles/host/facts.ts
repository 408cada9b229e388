/**
 * Host facts as the boot event carries them. `collectFacts` reads them through a small file
 * reader so the same code runs against /sys and /proc or against a fixture tree in tests.
 */
export interface NetFact {
  name: string;
  mac: string | null;
  addresses: string[];
  operstate: string | null;
}

export interface DiskFact {
  name: string;
  /** Bytes (the kernel counts 512-byte sectors in /sys/block/X/size). */
  size: number;
  model: string | null;
  removable: boolean;
  rotational: boolean | null;
}

export interface HostFacts {
  product: string | null;
  vendor: string | null;
  serial: string | null;
  uuid: string | null;
  bootMode: 'uefi' | 'bios';
  cmdline: string;
  uptimeSeconds: number | null;
  kernel: string | null;
  hostname: string | null;
  /** Logical CPUs the kernel knows (`/sys/devices/system/cpu/cpuN`, what `nproc --all` counts). */
  cpus: number | null;
  /** MemTotal from /proc/meminfo in bytes: a little under what the DIMMs add up to (the kernel's own reservations). */
  memoryBytes: number | null;
  interfaces: NetFact[];
  disks: DiskFact[];
}

export interface FactReader {
  /** Trimmed text of a file, or null when it is absent or unreadable (busybox lacks some). */
  read(path: string): string | null;
  list(dir: string): string[];
  exists(path: string): boolean;
}

/** Addresses per interface name, from os.networkInterfaces() or a fixture. */
export type AddressMap = Record<string, string[]>;

const VIRTUAL_DISK = /^(loop|ram|zram|dm-|sr|fd|nbd|md)/;

export function collectFacts(r: FactReader, addresses: AddressMap): HostFacts {
  const dmi = (f: string): string | null => clean(r.read(`/sys/class/dmi/id/${f}`));
  const interfaces: NetFact[] = r
    .list('/sys/class/net')
    .filter((n) => n !== 'lo')
    .sort()
    .map((name) => ({
      name,
      mac: normalizeMacOrNull(r.read(`/sys/class/net/${name}/address`)),
      addresses: addresses[name] ?? [],
      operstate: r.read(`/sys/class/net/${name}/operstate`),
    }));
  const disks: DiskFact[] = r
    .list('/sys/block')
    .filter((n) => !VIRTUAL_DISK.test(n))
    .sort()
    .map((name) => {
      const rot = r.read(`/sys/block/${name}/queue/rotational`);
      return {
        name,
        size: Number(r.read(`/sys/block/${name}/size`) ?? 0) * 512,
        model: clean(r.read(`/sys/block/${name}/device/model`)),
        removable: r.read(`/sys/block/${name}/removable`) === '1',
        rotational: rot === null ? null : rot === '1',
      };
    });
  const uptime = r.read('/proc/uptime');
  const cpus = r.list('/sys/devices/system/cpu').filter((n) => /^cpu\d+$/.test(n)).length;
  const memKib = /^MemTotal:\s+(\d+) kB$/m.exec(r.read('/proc/meminfo') ?? '')?.[1];
  return {
    product: dmi('product_name'),
    vendor: dmi('sys_vendor'),
    serial: dmi('product_serial'),
    uuid: dmi('product_uuid'),
    bootMode: r.exists('/sys/firmware/efi') ? 'uefi' : 'bios',
    cmdline: redactCmdline(r.read('/proc/cmdline') ?? ''),
    uptimeSeconds: uptime ? Number.parseFloat(uptime.split(/\s+/)[0] ?? '') || null : null,
    kernel: r.read('/proc/sys/kernel/osrelease'),
    hostname: r.read('/proc/sys/kernel/hostname'),
    cpus: cpus > 0 ? cpus : null,
    memoryBytes: memKib !== undefined ? Number(memKib) * 1024 : null,
    interfaces,
    disks,
  };
}

/** The MAC that names this host: the first interface with a real (non-zero) address. */
export function primaryMac(facts: HostFacts): string | undefined {
  const up = facts.interfaces.filter((i) => i.mac !== null);
  const withAddr = up.find((i) => i.addresses.length > 0);
  return (withAddr ?? up[0])?.mac ?? undefined;
}

/** Names that say their value is a credential: `talos.token`, `api_key`, `auth`, `bearer`, `pw`, `pwd`. */
const SECRET_NAME = /token|pass|secret|key|cred|auth|bearer|(^|[._-])pwd?($|[._-])/i;

/**
 * Kernel arguments can carry credentials (tokens, passwords); their values are not reported. A
 * credential also hides inside an ordinary argument: the password of `user:pw@host` (with or
 * without a scheme) and secret-named query parameters of a URL (`config_url=https://h/c?token=S`).
 */
export function redactCmdline(cmdline: string): string {
  return cmdline
    .split(/\s+/)
    .filter(Boolean)
    .map((arg) => {
      const eq = arg.indexOf('=');
      if (eq > 0 && SECRET_NAME.test(arg.slice(0, eq))) return `${arg.slice(0, eq)}=<redacted>`;
      return redactInValue(arg);
    })
    .join(' ');
}

function redactInValue(text: string): string {
  return text
    .replace(/(^|=|\/\/)([^\s:@/=?#]+):([^\s@/?#]+)@/g, '$1$2:<redacted>@')
    .replace(/([?&;])([^=&;#\s]+)=([^&;#\s]*)/g, (whole, sep: string, name: string) => (SECRET_NAME.test(name) ? `${sep}${name}=<redacted>` : whole));
}

function clean(v: string | null): string | null {
  if (v === null) return null;
  const t = v.trim();
  // Firmware fills unset DMI fields with placeholders; they identify nothing.
  if (t === '' || /^(to be filled by o\.e\.m\.|default string|not specified|none)$/i.test(t)) return null;
  return t;
}

function normalizeMacOrNull(v: string | null): string | null {
  if (!v) return null;
  const m = v.trim().toLowerCase();
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(m) || m === '00:00:00:00:00:00') return null;
  return m;
}
