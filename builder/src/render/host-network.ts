import { addressOn, networkByName, prefixLength, type Host, type Lab, type Network } from '@lab/shared';

/** How a host's NICs carry its networks: pure derivation used by the Talos and Harvester renders. */
export interface HostLink {
  /** Index of the NIC in the host's list. */
  nic: number;
  mac: string;
  network: Network;
  /** VLAN id when the network is carried tagged on this NIC. */
  vlan?: number;
  /** `10.10.30.10/24` when the host has a static address on the network. */
  address?: string;
}

export function hostLinks(lab: Lab, host: Host): HostLink[] {
  const links: HostLink[] = [];
  host.nics.forEach((nic, i) => {
    const mac = nic.mac.toLowerCase().replace(/-/g, ':');
    const add = (name: string, tagged: boolean) => {
      const network = networkByName(lab, name);
      const ip = addressOn(host, name);
      links.push({ nic: i, mac, network, vlan: tagged ? network.vlan : undefined, address: ip ? `${ip}/${prefixLength(network)}` : undefined });
    };
    if (nic.untagged) add(nic.untagged, false);
    for (const t of nic.tagged) add(t, true);
  });
  return links;
}

/** The link that holds the host's first address: its default route goes via that network's gateway. */
export function primaryLink(lab: Lab, host: Host): HostLink | undefined {
  const first = host.addresses[0];
  if (!first) return undefined;
  return hostLinks(lab, host).find((l) => l.network.name === first.network);
}

/** Nameservers for a host: the gateway's address on its network when the gateway forwards DNS there. */
export function nameserversFor(lab: Lab, network: Network): string[] {
  const dns = lab.gateway?.dns;
  if (lab.gateway && dns?.forwarding && dns.listenOn.includes(network.name) && network.gateway) return [network.gateway];
  return lab.site.resolvers;
}
