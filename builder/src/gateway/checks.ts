import type { Lab } from '@lab/shared';
import { dnsListenAddresses, placeNetworks, relayInterfaces } from '../vyos/gateway/index.js';
import type { BgpNeighbor, InterfaceState, NatSourceRule, RelayProcess } from './show-parse.js';

/** What `builder check gateway` saw on the gateway, parsed. */
export interface GatewayObservation {
  interfaces: Map<string, InterfaceState>;
  nat: NatSourceRule[];
  relay: RelayProcess | undefined;
  udpListeners: string[];
  bgp: BgpNeighbor[];
}

export interface CheckItem {
  /** Stable id, e.g. `network:LAB_MGMT`. */
  id: string;
  ok: boolean;
  /** What was expected, in the lab's words. */
  expect: string;
  /** What was seen. */
  seen: string;
}

/** Compares what the gateway shows with what the lab says. Pure. */
export function evaluateGateway(lab: Lab, seen: GatewayObservation): CheckItem[] {
  const gw = lab.gateway;
  if (!gw) return [];
  const items: CheckItem[] = [];
  const placements = placeNetworks(lab, gw);
  const up = (i: InterfaceState | undefined) => i !== undefined && i.state === 'u' && i.link === 'u';
  const describe = (i: InterfaceState | undefined) => (i ? `${i.name} ${i.state}/${i.link} ${i.addresses.join(', ') || 'no address'}` : 'interface missing');

  for (const p of placements) {
    const iface = seen.interfaces.get(p.interface);
    const hasAddress = p.address === undefined || (iface?.addresses.includes(p.address) ?? false);
    items.push({
      id: `network:${p.network.name}`,
      ok: up(iface) && hasAddress,
      expect: `${p.network.name} up on ${p.interface}${p.address ? ` with ${p.address}` : ''}`,
      seen: describe(iface),
    });
    for (const member of p.bridgeMembers ?? []) {
      const m = seen.interfaces.get(member);
      items.push({ id: `vlan:${member}`, ok: up(m), expect: `VLAN sub-interface ${member} up (member of ${p.interface})`, seen: describe(m) });
    }
  }

  for (const m of gw.nat.masquerade) {
    const rule = seen.nat.find((r) => r.source === m.source && r.outInterface === m.outbound && r.translation === 'masquerade');
    items.push({
      id: `nat:${m.source}`,
      ok: rule !== undefined,
      expect: `source NAT: ${m.source} masqueraded out of ${m.outbound}`,
      seen: rule ? `rule ${rule.rule}` : seen.nat.length ? `rules: ${seen.nat.map((r) => `${r.rule} ${r.source}→${r.outInterface} ${r.translation}`).join('; ')}` : 'no source NAT rules',
    });
  }

  const relay = relayInterfaces(gw, placements);
  if (relay && gw.dhcpRelay) {
    const p = seen.relay;
    const same = (a: string[], b: string[]) => a.length === b.length && a.every((x) => b.includes(x));
    items.push({
      id: 'dhcp-relay',
      ok: p !== undefined && same(p.listen, relay.listen) && same(p.upstream, relay.upstream) && p.servers.includes(gw.dhcpRelay.server),
      expect: `DHCP relay listening on ${relay.listen.join(', ')}, forwarding out of ${relay.upstream.join(', ')} to ${gw.dhcpRelay.server}`,
      seen: p ? `listening on ${p.listen.join(', ') || '-'}, upstream ${p.upstream.join(', ') || '-'}, servers ${p.servers.join(', ') || '-'}` : 'dhcrelay is not running',
    });
  }

  for (const address of dnsListenAddresses(gw, placements)) {
    const ok = seen.udpListeners.includes(`${address}:53`);
    items.push({ id: `dns:${address}`, ok, expect: `DNS forwarder listening on ${address}:53`, seen: ok ? 'listening' : 'nothing listens there' });
  }

  for (const peer of gw.bgp?.peers ?? []) {
    const address = peer.address ?? lab.hosts.find((h) => h.name === peer.host)?.addresses[0]?.address;
    const n = seen.bgp.find((b) => b.address === address);
    const wantState = peer.shutdown ? 'shut down (Idle (Admin))' : 'configured';
    const ok = n !== undefined && n.asn === peer.asn && (!peer.shutdown || /Admin/.test(n.state));
    items.push({
      id: `bgp:${address}`,
      ok,
      expect: `BGP neighbour ${address} (${peer.host ?? 'peer'}) AS ${peer.asn}, ${wantState}`,
      seen: n ? `AS ${n.asn}, ${n.state}${n.prefixes !== undefined ? `, ${n.prefixes} prefixes` : ''}` : 'not a neighbour',
    });
  }
  return items;
}

export function formatChecklist(items: readonly CheckItem[]): string {
  return items.map((i) => `${i.ok ? '[ok]  ' : '[FAIL]'} ${i.expect}${i.ok ? '' : ` — saw: ${i.seen}`}`).join('\n');
}
