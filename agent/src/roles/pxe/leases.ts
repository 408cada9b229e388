import type { PxeConfig } from '@lab/shared';

/** Address book of the full-mode server: fixed addresses by MAC, the rest from the range. */
export class Leases {
  private readonly byMac = new Map<string, string>();
  private readonly reserved = new Set<string>();

  constructor(private readonly cfg: PxeConfig) {
    this.reserved.add(cfg.address);
    for (const h of cfg.hosts) if (h.ip) this.reserved.add(h.ip);
  }

  /** The address for a MAC: its fixed one, its current lease, or the first free one in range. */
  addressFor(mac: string): string | null {
    const fixed = this.cfg.hosts.find((h) => h.mac === mac)?.ip;
    if (fixed) return fixed;
    const held = this.byMac.get(mac);
    if (held) return held;
    if (!this.cfg.range) return null;
    const taken = new Set([...this.reserved, ...this.byMac.values()]);
    const [first, last] = this.cfg.range.map(ipToInt) as [number, number];
    for (let n = first; n <= last; n++) {
      const ip = intToIp(n);
      if (!taken.has(ip)) {
        this.byMac.set(mac, ip);
        return ip;
      }
    }
    return null;
  }

  macOf(ip: string): string | undefined {
    for (const h of this.cfg.hosts) if (h.ip === ip) return h.mac;
    for (const [mac, held] of this.byMac) if (held === ip) return mac;
    return undefined;
  }
}

export function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (Math.floor(n / 2 ** s) & 255).toString()).join('.');
}

/** The subnet's directed broadcast: the kernel sends it out of the interface that owns the subnet. */
export function directedBroadcast(address: string, netmask: string): string {
  const a = ipToInt(address);
  const m = ipToInt(netmask);
  return intToIp(((a & m) | (~m >>> 0)) >>> 0);
}
