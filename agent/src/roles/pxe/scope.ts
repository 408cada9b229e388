import { intToIp, ipToInt, type PxeConfig } from '@lab/shared';

/**
 * The network a DHCP request is answered for (pure): the service's own when it came straight
 * from the wire (giaddr 0.0.0.0), else the relayed subnet that holds the relay's giaddr, with
 * that subnet's range, mask, router and DNS (RFC 2131 §4.3.1: "if giaddr is not zero, the server
 * selects the address from the subnet of giaddr"). A giaddr inside no known subnet gets nothing.
 */
export interface Scope {
  name: string;
  network: string;
  netmask: string;
  range: [string, string] | undefined;
  router: string | undefined;
  dns: string[];
  leaseSeconds: number;
  relayed: boolean;
}

export function directScope(cfg: PxeConfig): Scope {
  const network = intToIp((ipToInt(cfg.address) & ipToInt(cfg.netmask)) >>> 0);
  return { name: 'direct', network, netmask: cfg.netmask, range: cfg.range, router: cfg.router, dns: cfg.dns, leaseSeconds: cfg.leaseSeconds, relayed: false };
}

export function scopeFor(cfg: PxeConfig, giaddr: string): Scope | undefined {
  const direct = directScope(cfg);
  if (giaddr === '0.0.0.0') return direct;
  for (const s of cfg.subnets) {
    if (contains(s.network, s.netmask, giaddr)) {
      return { name: s.name, network: s.network, netmask: s.netmask, range: s.range, router: s.router, dns: s.dns, leaseSeconds: s.leaseSeconds ?? cfg.leaseSeconds, relayed: true };
    }
  }
  // A relay on the service's own network (unusual, but a relay may sit there).
  if (contains(direct.network, direct.netmask, giaddr)) return { ...direct, relayed: true };
  return undefined;
}

export function contains(network: string, netmask: string, ip: string): boolean {
  const m = ipToInt(netmask);
  return ((ipToInt(ip) & m) >>> 0) === ((ipToInt(network) & m) >>> 0);
}
