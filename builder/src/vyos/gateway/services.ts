import { cidrContains, parseCidr, type Lab } from '@lab/shared';
import { leaf, leaves, node, tagNode, type ConfigNode } from '../index.js';
import { placementOf, type NetworkPlacement } from './layout.js';

type Gateway = NonNullable<Lab['gateway']>;

/** The networks whose gateway address the DNS forwarder listens on. */
export function dnsListenAddresses(gw: Gateway, placements: readonly NetworkPlacement[]): string[] {
  if (!gw.dns.forwarding) return [];
  return gw.dns.listenOn.flatMap((n) => {
    const a = placementOf(placements, n)?.address;
    return a ? [a.split('/')[0]!] : [];
  });
}

/** Interfaces the DHCP relay listens on (the client networks) and forwards out of (the server's). */
export function relayInterfaces(gw: Gateway, placements: readonly NetworkPlacement[]): { listen: string[]; upstream: string[] } | undefined {
  if (!gw.dhcpRelay) return undefined;
  const listen = gw.dhcpRelay.networks.flatMap((n) => {
    const p = placementOf(placements, n);
    // A bridged network's packets arrive on the bridge, not on its member ports.
    return p ? [p.interface] : [];
  });
  const server = gw.dhcpRelay.server;
  const towards = placements.find((p) => cidrContains(parseCidr(p.network.cidr), server));
  // Without a directly connected network the server is reached over the WAN (transit) port.
  const upstream = towards?.interface ?? gw.transit?.port ?? gw.ports.find((p) => p.role === 'wan')?.name;
  return { listen, upstream: upstream ? [upstream] : [] };
}

/** `service`: DHCP relay and server, DNS forwarding, NTP, SSH. */
export function renderServices(lab: Lab, gw: Gateway, placements: readonly NetworkPlacement[]): ConfigNode {
  const children: ConfigNode[] = [];

  const relay = relayInterfaces(gw, placements);
  if (relay && gw.dhcpRelay) {
    children.push(
      node('dhcp-relay', [
        ...leaves('listen-interface', relay.listen),
        ...leaves('upstream-interface', relay.upstream),
        node('relay-options', [leaf('relay-agents-packets', 'discard')]),
        leaf('server', gw.dhcpRelay.server),
      ]),
    );
  }

  const dnsAddresses = dnsListenAddresses(gw, placements);
  const served = placements.filter((p) => p.network.dhcp?.server === 'gateway' && p.address);
  if (served.length) {
    children.push(
      node(
        'dhcp-server',
        served.map((p, i) => {
          const net = p.network;
          const gwIp = p.address!.split('/')[0]!;
          const nameServers = dnsAddresses.includes(gwIp) ? [gwIp] : lab.site.resolvers;
          return tagNode('shared-network-name', net.name, [
            tagNode('subnet', net.cidr, [
              leaf('lease', net.dhcp!.lease),
              node('option', [leaf('default-router', gwIp), ...leaves('name-server', nameServers)]),
              tagNode('range', '0', [leaf('start', net.dhcp!.start), leaf('stop', net.dhcp!.end)]),
              // Kea needs a unique numeric id per subnet; the VLAN id is stable across renders.
              leaf('subnet-id', net.vlan ?? i + 1),
            ]),
          ]);
        }),
      ),
    );
  }

  if (gw.dns.forwarding && dnsAddresses.length) {
    children.push(
      node('dns', [
        node('forwarding', [...leaves('allow-from', gw.dns.allowFrom), ...leaves('listen-address', dnsAddresses), leaf('system')]),
      ]),
    );
  }

  // VyOS 1.4+ keeps NTP under `service ntp` (1.3 had `system ntp`).
  if (lab.site.ntp.length) children.push(node('ntp', lab.site.ntp.map((s) => tagNode('server', s))));

  children.push(node('ssh', [leaf('disable-password-authentication'), leaf('port', gw.ssh.port)]));
  return node('service', children);
}
