import type { Host, Lab, Network, PlatformCluster } from './schema.js';

/** Small lookups every renderer needs. Pure. */

export function networkByName(lab: Lab, name: string): Network {
  const net = lab.networks.find((n) => n.name === name);
  if (!net) throw new Error(`network "${name}" is not defined (the lab was not validated)`);
  return net;
}

export function hostByName(lab: Lab, name: string): Host {
  const host = lab.hosts.find((h) => h.name === name);
  if (!host) throw new Error(`host "${name}" is not defined (the lab was not validated)`);
  return host;
}

export function hostByMac(lab: Lab, mac: string): Host | undefined {
  const m = mac.toLowerCase().replace(/-/g, ':');
  return lab.hosts.find((h) => h.nics.some((n) => n.mac.toLowerCase().replace(/-/g, ':') === m));
}

/** The host's address on a network, if it has one. */
export function addressOn(host: Host, network: string): string | undefined {
  return host.addresses.find((a) => a.network === network)?.address;
}

/** Every lab host with its first static address, for mapping a peer address back to a host. */
export function hostByAddress(lab: Lab, ip: string): Host | undefined {
  return lab.hosts.find((h) => h.addresses.some((a) => a.address === ip));
}

export function prefixLength(net: Network): number {
  return Number(net.cidr.split('/')[1]);
}

/** What the platform cluster's `cni` means for a render. Pure. */
export interface CniPlan {
  /** `cluster.network.cni.name` in the Talos config. */
  talos: 'flannel' | 'none';
  /** The images.yaml entry whose pre-rendered Cilium manifest becomes an inline manifest. */
  ciliumImage?: string;
  /** The lab says how a CNI arrives (Talos's flannel, the inline manifest, or by hand). */
  arrives: boolean;
}

export function cniPlan(cluster: PlatformCluster): CniPlan {
  const c = cluster.cni;
  if (c === 'flannel') return { talos: 'flannel', arrives: true };
  if (c === 'none') return { talos: 'none', arrives: false };
  if (c.name === 'cilium') return { talos: 'none', ciliumImage: c.image, arrives: true };
  return { talos: 'none', arrives: true };
}
