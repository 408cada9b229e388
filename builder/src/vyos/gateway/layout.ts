import { networkByName, prefixLength, type Lab, type Network } from '@lab/shared';

type Gateway = NonNullable<Lab['gateway']>;

/** Where one lab network lives on the gateway. */
export interface NetworkPlacement {
  network: Network;
  /** The interface that holds the network's gateway address: `br30`, `eth1.20`, `eth0`. */
  interface: string;
  /** `10.10.20.1/24`, or undefined for a network without a gateway address. */
  address?: string;
  /** Set when the network is bridged: the VLAN sub-interfaces that are members. */
  bridgeMembers?: string[];
}

/**
 * Maps every network the gateway carries to the interface holding its address: a bridge when
 * the lab bridges it, else the port's VLAN sub-interface (`eth1.20`), else the port itself
 * (native network or the transit link). Pure; the lab was validated.
 */
export function placeNetworks(lab: Lab, gw: Gateway): NetworkPlacement[] {
  const out: NetworkPlacement[] = [];
  const placed = new Set<string>();
  const withPrefix = (net: Network, ip: string | undefined) => (ip === undefined ? undefined : `${ip}/${prefixLength(net)}`);

  for (const br of gw.bridges) {
    const net = networkByName(lab, br.network);
    const members = br.members.map((port) => (net.vlan === undefined ? port : `${port}.${net.vlan}`));
    out.push({ network: net, interface: br.name, address: withPrefix(net, net.gateway), bridgeMembers: members });
    placed.add(net.name);
  }
  if (gw.transit) {
    const net = networkByName(lab, gw.transit.network);
    out.push({ network: net, interface: gw.transit.port, address: withPrefix(net, gw.transit.address) });
    placed.add(net.name);
  }
  for (const port of gw.ports) {
    const carried = [...(port.native ? [port.native] : []), ...port.vlans];
    for (const name of carried) {
      if (placed.has(name)) continue;
      const net = networkByName(lab, name);
      const iface = name === port.native || net.vlan === undefined ? port.name : `${port.name}.${net.vlan}`;
      out.push({ network: net, interface: iface, address: withPrefix(net, net.gateway) });
      placed.add(name);
    }
  }
  return out;
}

export function placementOf(placements: readonly NetworkPlacement[], network: string): NetworkPlacement | undefined {
  return placements.find((p) => p.network.name === network);
}

/** `LAB_MGMT - Infrastructure Management`, the reference's description style. */
export function networkLabel(net: Network): string {
  return net.description ? `${net.name} - ${net.description}` : net.name;
}
