import type { Lab } from '@lab/shared';
import { leaf, node, sortTree, tagNode, type ConfigNode } from '../index.js';
import { networkLabel, type NetworkPlacement } from './layout.js';

type Gateway = NonNullable<Lab['gateway']>;

/** `interfaces`: bridges, ethernet ports with their VLAN sub-interfaces, addresses, descriptions. */
export function renderInterfaces(lab: Lab, gw: Gateway, placements: readonly NetworkPlacement[]): ConfigNode {
  const extra = extraAddresses(lab, gw, placements);
  const addressesOf = (iface: string, own: string | undefined) => [
    ...(own ? [leaf('address', own)] : []),
    ...(extra.get(iface) ?? []).map((a) => leaf('address', a)),
  ];
  const bridgeOf = new Map<string, string>();
  for (const p of placements) for (const m of p.bridgeMembers ?? []) bridgeOf.set(m, p.interface);

  const bridges = placements
    .filter((p) => p.bridgeMembers)
    .map((p) =>
      tagNode('bridge', p.interface, [
        ...addressesOf(p.interface, p.address),
        leaf('description', networkLabel(p.network)),
        node('member', p.bridgeMembers!.map((m) => tagNode('interface', m))),
      ]),
    );

  const ethernets = gw.ports.map((port) => {
    const children: ConfigNode[] = [];
    const own = placements.find((p) => p.interface === port.name);
    children.push(...addressesOf(port.name, own?.address));
    if (port.description) children.push(leaf('description', port.description));
    for (const name of port.vlans) {
      const net = lab.networks.find((n) => n.name === name)!;
      const vif = `${port.name}.${net.vlan}`;
      const bridge = bridgeOf.get(vif);
      if (bridge) {
        // The address lives on the bridge; a member only carries the VLAN.
        children.push(tagNode('vif', String(net.vlan), [leaf('description', `${net.name} - Bridge member (${bridge})`)]));
      } else {
        const here = placements.find((p) => p.interface === vif);
        children.push(tagNode('vif', String(net.vlan), [...addressesOf(vif, here?.address), leaf('description', networkLabel(net))]));
      }
    }
    return tagNode('ethernet', port.name, children);
  });
  return node('interfaces', sortTree([...bridges, ...ethernets]));
}

/**
 * Addresses the gateway holds besides the networks' gateway addresses: the PXE service's
 * address when the PXE service runs on the gateway itself (its agent answers DHCP, TFTP and
 * HTTP from that address, and the DHCP relay forwards to it).
 */
function extraAddresses(lab: Lab, gw: Gateway, placements: readonly NetworkPlacement[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (lab.pxe && lab.pxe.host === gw.host) {
    const p = placements.find((x) => x.network.name === lab.pxe!.network);
    if (p && p.address && !p.address.startsWith(`${lab.pxe.address}/`)) {
      out.set(p.interface, [`${lab.pxe.address}/${p.address.split('/')[1]}`]);
    }
  }
  return out;
}
