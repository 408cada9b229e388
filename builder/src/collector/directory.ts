import type { GenesisPlan } from '@lab/shared';

/**
 * Who is who: lab host names, their MACs and static addresses, plus the addresses learned at run
 * time (a Talos node names itself in AddressEvent; its event-sink connection is known only by its
 * peer address).
 */
export class HostDirectory {
  private readonly names: Set<string>;
  private readonly macs = new Map<string, string>();
  private readonly addresses = new Map<string, string>();
  private readonly learned = new Map<string, string>();
  /** Addresses the PXE service leased, by the MAC it leased them to (dhcp.ack events). */
  private readonly leases = new Map<string, string>();

  constructor(plan: GenesisPlan, learned: ReadonlyMap<string, string> = new Map()) {
    this.names = new Set(plan.hosts.map((h) => h.name));
    for (const h of plan.hosts) {
      for (const m of h.macs) this.macs.set(m, h.name);
      for (const a of h.addresses) this.addresses.set(a, h.name);
    }
    for (const [a, h] of learned) this.learned.set(a, h);
  }

  hasHost(name: string): boolean {
    return this.names.has(name);
  }

  hostNames(): string[] {
    return [...this.names];
  }

  byMac(mac: string): string | undefined {
    return this.macs.get(mac.toLowerCase().replace(/-/g, ':'));
  }

  /** A peer address (learned first: a host may come up on a DHCP address before its static one). */
  byAddress(address: string): string | undefined {
    const a = normalizeAddress(address);
    return this.learned.get(a) ?? this.addresses.get(a);
  }

  /**
   * Records a run-time address of `host`. Bounded: at most MAX_LEARNED addresses in all (the
   * oldest is forgotten first), and never an address the lab declares or leased to another host.
   */
  learn(address: string, host: string): boolean {
    const a = normalizeAddress(address);
    if (this.learned.get(a) === host) return false;
    const owner = this.addresses.get(a) ?? this.leases.get(a);
    if (owner !== undefined && owner !== host) return false;
    this.learned.delete(a);
    this.learned.set(a, host);
    while (this.learned.size > MAX_LEARNED) this.learned.delete(this.learned.keys().next().value as string);
    return true;
  }

  /** The PXE service leased `address` to a MAC of `host`. */
  leased(address: string, host: string): void {
    const a = normalizeAddress(address);
    this.leases.delete(a);
    this.leases.set(a, host);
    while (this.leases.size > MAX_LEARNED) this.leases.delete(this.leases.keys().next().value as string);
  }

  /**
   * Whether a stream from `address` may speak for `host`: Talos's sink has no authentication (by
   * Talos's design), so only the host's own lab address, the address our PXE service leased to its
   * MAC, or an address already known to be it qualifies.
   */
  mayClaim(address: string, host: string): boolean {
    const a = normalizeAddress(address);
    return this.addresses.get(a) === host || this.leases.get(a) === host || this.learned.get(a) === host;
  }
}

/** Run-time addresses kept (learned and leased, each): a lab has tens of hosts. */
export const MAX_LEARNED = 1024;

/** `::ffff:10.0.0.1` → `10.0.0.1`; strips brackets and zone ids. */
export function normalizeAddress(address: string): string {
  let a = address.trim().replace(/^\[|\]$/g, '');
  if (a.startsWith('::ffff:') && a.includes('.')) a = a.slice(7);
  const zone = a.indexOf('%');
  return zone >= 0 ? a.slice(0, zone) : a;
}

/** Parses grpc-js `getPeer()` (`ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678`, or `1.2.3.4:5678`). */
export function peerAddress(peer: string): string {
  const p = peer.replace(/^ipv[46]:/, '');
  const bracket = p.match(/^\[([^\]]+)\]:\d+$/);
  if (bracket) return normalizeAddress(bracket[1]!);
  const colon = p.lastIndexOf(':');
  if (colon > 0 && p.indexOf(':') === colon) return normalizeAddress(p.slice(0, colon));
  return normalizeAddress(p);
}
