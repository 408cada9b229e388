import type { Lab } from '@lab/shared';
import { leaf, leaves, node, tagNode, type ConfigNode } from '../index.js';

type Gateway = NonNullable<Lab['gateway']>;

const LAB_GROUP = 'LAB_NETWORKS';

const groupMatch = (side: 'source' | 'destination', group: string) => node(side, [node('group', [leaf('network-group', group)])]);
const port = (n: number) => node('destination', [leaf('port', n)]);
const established = (description?: string) => [
  leaf('action', 'accept'),
  ...(description ? [leaf('description', description)] : []),
  // VyOS 1.5: `state` is a multi-value leaf (1.3 wrote a `state { established related }` block).
  ...leaves('state', ['established', 'related']),
];

/**
 * `firewall`: groups, and three rulesets on the WAN (transit) port — traffic from the WAN into
 * the lab, from the lab out to the WAN (never a new connection into a protected network such as
 * the home network), and to the gateway itself. VyOS 1.4+ binds rulesets by jumping to them
 * from the `ipv4 forward|input filter` base chains with `inbound-/outbound-interface`; the
 * per-interface `firewall interface ethX in|out|local` of 1.3 no longer exists.
 */
export function renderFirewall(gw: Gateway, dnsListens: boolean, dhcpServed: boolean): ConfigNode | undefined {
  const wan = gw.transit?.port ?? gw.ports.find((p) => p.role === 'wan')?.name;
  if (!wan) return undefined;
  const protect = gw.firewall.protect;
  const lab = gw.firewall.lab;

  const groups: ConfigNode[] = protect.map((p) => tagNode('network-group', p.name, [leaf('network', p.cidr)]));
  if (lab) groups.push(tagNode('network-group', LAB_GROUP, [leaf('network', lab)]));

  const labToWan = tagNode('name', 'LAB_TO_WAN', [
    leaf('default-action', 'accept'),
    tagNode('rule', '10', established('Allow established/related')),
    ...protect.map((p, i) =>
      tagNode('rule', String(20 + i), [
        leaf('action', 'drop'),
        leaf('description', `Block new connections to ${p.name}`),
        groupMatch('destination', p.name),
        leaf('state', 'new'),
      ]),
    ),
  ]);

  const wanToLab = tagNode('name', 'WAN_TO_LAB', [
    leaf('default-action', 'drop'),
    tagNode('rule', '10', established('Allow established/related')),
    ...(gw.firewall.allowFromProtected
      ? protect.map((p, i) => tagNode('rule', String(20 + i), [leaf('action', 'accept'), leaf('description', `Allow from ${p.name}`), groupMatch('source', p.name)]))
      : []),
  ]);

  const fromLab = (n: number, description: string, proto: string, dport: number) =>
    lab ? [tagNode('rule', String(n), [leaf('action', 'accept'), leaf('description', description), port(dport), leaf('protocol', proto), groupMatch('source', LAB_GROUP)])] : [];
  const local = tagNode('name', 'LOCAL', [
    leaf('default-action', 'drop'),
    tagNode('rule', '10', established()),
    tagNode('rule', '20', [leaf('action', 'accept'), leaf('description', 'Allow ICMP'), leaf('protocol', 'icmp')]),
    ...fromLab(30, 'Allow SSH from lab', 'tcp', gw.ssh.port),
    ...protect.map((p, i) =>
      tagNode('rule', String(31 + i), [leaf('action', 'accept'), leaf('description', `Allow SSH from ${p.name}`), port(gw.ssh.port), leaf('protocol', 'tcp'), groupMatch('source', p.name)]),
    ),
    ...(dnsListens ? fromLab(40, 'Allow DNS from lab', 'udp', 53) : []),
    ...(dhcpServed ? fromLab(50, 'Allow DHCP from lab', 'udp', 67) : []),
    ...(gw.bgp ? fromLab(60, 'Allow BGP from lab', 'tcp', 179) : []),
  ]);

  const jump = (n: number, target: string, match: ConfigNode) =>
    tagNode('rule', String(n), [leaf('action', 'jump'), match, leaf('jump-target', target)]);
  const ipv4 = node('ipv4', [
    node('forward', [
      node('filter', [
        jump(10, 'WAN_TO_LAB', node('inbound-interface', [leaf('name', wan)])),
        jump(20, 'LAB_TO_WAN', node('outbound-interface', [leaf('name', wan)])),
      ]),
    ]),
    node('input', [node('filter', [jump(10, 'LOCAL', node('inbound-interface', [leaf('name', wan)]))])]),
    labToWan,
    local,
    wanToLab,
  ]);
  return node('firewall', [...(groups.length ? [node('group', groups)] : []), ipv4]);
}
