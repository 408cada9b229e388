import { intToIp, ipToInt, type PxeConfig } from '@lab/shared';
import { contains, type Scope } from './scope.js';

/**
 * Address book of the full-mode server. A host's fixed address is reserved for it and never given
 * to another MAC; the rest of a scope's range is leased with an expiry: an OFFER holds an address
 * for `OFFER_HOLD_MS`, an ACK for the scope's lease time; an expired lease is free again (its
 * MAC keeps first claim on it until another takes it). MACs that match no host hold at most
 * `maxUnknownLeases` addresses, and never the last ones a host without a fixed address needs, so
 * a flood of strangers cannot starve a lab host. Memory is bounded by the range sizes: leases are
 * kept per address. The clock is injected (tests turn time forward).
 */
export const OFFER_HOLD_MS = 60_000;

interface Lease {
  mac: string;
  expires: number;
}

export class Leases {
  private readonly byIp = new Map<string, Lease>();
  private readonly byMac = new Map<string, string>();
  private readonly reserved = new Set<string>();
  private readonly hostMacs: Set<string>;

  constructor(
    private readonly cfg: PxeConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.reserved.add(cfg.address);
    if (cfg.router) this.reserved.add(cfg.router);
    for (const s of cfg.subnets) if (s.router) this.reserved.add(s.router);
    for (const h of cfg.hosts) if (h.ip) this.reserved.add(h.ip);
    this.hostMacs = new Set(cfg.hosts.map((h) => h.mac));
  }

  /** The address to offer `mac` in `scope`, held briefly; null when there is none for it. */
  offer(mac: string, scope: Scope): string | null {
    return this.claim(mac, scope, OFFER_HOLD_MS);
  }

  /** Binds `mac` to its address in `scope` for the lease time; null when it has none. */
  ack(mac: string, scope: Scope): string | null {
    return this.claim(mac, scope, scope.leaseSeconds * 1000);
  }

  /** The client took another server's offer, declined or released: its address is free. */
  release(mac: string): void {
    const ip = this.byMac.get(mac);
    if (ip === undefined) return;
    this.byMac.delete(mac);
    this.byIp.delete(ip);
  }

  macOf(ip: string): string | undefined {
    for (const h of this.cfg.hosts) if (h.ip === ip) return h.mac;
    const l = this.byIp.get(ip);
    return l && l.expires > this.now() ? l.mac : undefined;
  }

  /** Unexpired leases held by MACs that match no host. */
  unknownHeld(): number {
    const t = this.now();
    let n = 0;
    for (const l of this.byIp.values()) if (l.expires > t && !this.hostMacs.has(l.mac)) n++;
    return n;
  }

  private claim(mac: string, scope: Scope, holdMs: number): string | null {
    const fixed = this.cfg.hosts.find((h) => h.mac === mac)?.ip;
    if (fixed && contains(scope.network, scope.netmask, fixed)) return fixed;
    if (!scope.range) return null;
    const t = this.now();
    const held = this.byMac.get(mac);
    if (held !== undefined && inRange(scope.range, held) && this.byIp.get(held)?.mac === mac) {
      this.byIp.set(held, { mac, expires: t + holdMs });
      return held;
    }
    const known = this.hostMacs.has(mac);
    if (!known && this.unknownHeld() >= this.cfg.maxUnknownLeases) return null;
    const [first, last] = scope.range.map(ipToInt) as [number, number];
    let free = 0;
    let pick: string | null = null;
    for (let n = first; n <= last; n++) {
      const ip = intToIp(n);
      if (this.reserved.has(ip)) continue;
      const l = this.byIp.get(ip);
      if (l && l.expires > t) continue;
      free++;
      pick ??= ip;
    }
    if (pick === null) return null;
    // Keep room for the hosts that have no fixed address and no address yet in this scope.
    if (!known && free <= this.hostsWaiting(scope, t)) return null;
    const stale = this.byIp.get(pick);
    if (stale) this.byMac.delete(stale.mac);
    if (held !== undefined) this.byIp.delete(held);
    this.byIp.set(pick, { mac, expires: t + holdMs });
    this.byMac.set(mac, pick);
    return pick;
  }

  private hostsWaiting(scope: Scope, t: number): number {
    let n = 0;
    for (const h of this.cfg.hosts) {
      if (h.ip) continue;
      const ip = this.byMac.get(h.mac);
      const l = ip !== undefined ? this.byIp.get(ip) : undefined;
      if (!(l && l.mac === h.mac && l.expires > t && scope.range && inRange(scope.range, ip as string))) n++;
    }
    return n;
  }
}

function inRange(range: [string, string], ip: string): boolean {
  const n = ipToInt(ip);
  return n >= ipToInt(range[0]) && n <= ipToInt(range[1]);
}
