import type { Lab } from './schema.js';
import type { Problem } from './problem.js';
import { cidrContains, cidrHasHostBits, cidrsOverlap, cidrToString, ipToInt, isIpv4, isUsableHost, parseCidr, type Cidr } from './net.js';
import { cniPlan } from './queries.js';
import { compareVersions } from './version.js';
import { STALL_RULES } from '../phases/stalls.js';

/** Talos embeds a machine config in its ISO from this release on (DESIGN.md). */
export const MIN_TALOS_FOR_EMBEDDED = 'v1.12.0';

type Path = (string | number)[];

/** What every rule reads and where it reports: built once from the lab, filled as rules run. */
interface Rules {
  lab: Lab;
  add: (path: Path, message: string, fix: string) => void;
  needNetwork: (path: Path, name: string | undefined) => void;
  needHost: (path: Path, name: string) => void;
  needPort: (path: Path, name: string | undefined) => void;
  /** Networks by name as the network rules accept them (the first definition wins). */
  networks: Map<string, { cidr: Cidr; index: number }>;
  hosts: Map<string, { host: Lab['hosts'][number]; index: number }>;
  ports: Set<string>;
  /** Static addresses and who holds them, filled by the host rules. */
  addresses: Map<string, string>;
}

/**
 * The cross-field rules a lab must satisfy beyond its schema. Pure; returns every problem
 * found, in document order, so the operator fixes them all in one pass.
 */
export function checkLabRules(lab: Lab): Problem[] {
  const problems: Problem[] = [];
  const add = (path: Path, message: string, fix: string) => problems.push({ path, message, fix });

  const networks = new Map<string, { cidr: Cidr; index: number }>();
  // The first definition of a name wins; later ones are reported as duplicates.
  const hosts = new Map<string, { host: Lab['hosts'][number]; index: number }>();
  lab.hosts.forEach((h, i) => {
    if (!hosts.has(h.name)) hosts.set(h.name, { host: h, index: i });
  });
  const ports = new Set((lab.gateway?.ports ?? []).map((p) => p.name));
  const networkNames = lab.networks.map((n) => n.name).join(', ');
  const hostNames = [...hosts.keys()].join(', ');
  const portNames = [...ports].join(', ');

  const needNetwork = (path: Path, name: string | undefined) => {
    if (name !== undefined && !networks.has(name)) add(path, `network "${name}" is not defined`, `define it under networks, or use one of: ${networkNames}`);
  };
  const needHost = (path: Path, name: string) => {
    if (!hosts.has(name)) add(path, `host "${name}" is not defined`, `define it under hosts, or use one of: ${hostNames}`);
  };
  const needPort = (path: Path, name: string | undefined) => {
    if (name !== undefined && !ports.has(name)) add(path, `gateway port "${name}" is not defined`, `define it under gateway.ports, or use one of: ${portNames || '(none yet)'}`);
  };

  const addresses = new Map<string, string>();
  const r: Rules = { lab, add, needNetwork, needHost, needPort, networks, hosts, ports, addresses };
  networkRules(r);
  hostRules(r);
  gatewayRules(r);
  clusterRules(r);
  pxeRules(r);
  return problems;
}

/** Networks: names, VLAN ids, CIDRs, gateways, DHCP ranges. */
function networkRules(r: Rules): void {
  const { lab, add, networks } = r;
  const vlans = new Map<number, string>();
  lab.networks.forEach((net, i) => {
    const path: Path = ['networks', i];
    if (networks.has(net.name)) add([...path, 'name'], `network name "${net.name}" is used twice`, 'give each network its own name');
    const cidr = parseCidr(net.cidr);
    if (cidrHasHostBits(net.cidr)) add([...path, 'cidr'], `${net.cidr} has host bits set`, `write the network address: ${cidrToString(cidr)}`);
    for (const [other, seen] of networks) {
      if (cidrsOverlap(cidr, seen.cidr)) add([...path, 'cidr'], `${net.cidr} overlaps network "${other}" (${cidrToString(seen.cidr)})`, 'give each network its own address range');
    }
    if (!networks.has(net.name)) networks.set(net.name, { cidr, index: i });
    if (net.vlan !== undefined) {
      const prior = vlans.get(net.vlan);
      if (prior !== undefined) add([...path, 'vlan'], `VLAN ${net.vlan} is already used by network "${prior}"`, 'give each network its own VLAN id');
      else vlans.set(net.vlan, net.name);
    }
    if (net.gateway !== undefined && !isUsableHost(cidr, net.gateway)) add([...path, 'gateway'], `gateway ${net.gateway} is not a host address of ${net.cidr}`, `pick an address inside ${net.cidr}`);
    if (net.dhcp) {
      const { start, end } = net.dhcp;
      if (!isUsableHost(cidr, start)) add([...path, 'dhcp', 'start'], `DHCP range start ${start} is outside ${net.cidr}`, `pick an address inside ${net.cidr}`);
      if (!isUsableHost(cidr, end)) add([...path, 'dhcp', 'end'], `DHCP range end ${end} is outside ${net.cidr}`, `pick an address inside ${net.cidr}`);
      if (ipToInt(start) > ipToInt(end)) add([...path, 'dhcp'], `DHCP range starts at ${start}, after its end ${end}`, 'swap start and end');
      if (net.gateway !== undefined && inRange(net.gateway, start, end)) add([...path, 'dhcp'], `DHCP range ${start}–${end} includes the gateway ${net.gateway}`, 'move the range so it leaves the gateway out');
    }
  });
}

/** Hosts: names, MACs, addresses, NICs that carry the networks. */
function hostRules(r: Rules): void {
  const { lab, add, needNetwork, needPort, networks, hosts, addresses } = r;
  const macs = new Map<string, string>();
  lab.hosts.forEach((host, i) => {
    const path: Path = ['hosts', i];
    if (hosts.get(host.name)?.index !== i) add([...path, 'name'], `host name "${host.name}" is used twice`, 'give each host its own name');
    const carried = new Set<string>();
    host.nics.forEach((nic, j) => {
      const nicPath: Path = [...path, 'nics', j];
      const m = nic.mac.toLowerCase().replace(/-/g, ':');
      const owner = macs.get(m);
      if (owner !== undefined) add([...nicPath, 'mac'], `MAC ${nic.mac} is already used by ${owner}`, 'check the MAC on the machine’s label or in its firmware setup');
      else macs.set(m, `host "${host.name}"`);
      needNetwork([...nicPath, 'untagged'], nic.untagged);
      nic.tagged.forEach((n, k) => needNetwork([...nicPath, 'tagged', k], n));
      needPort([...nicPath, 'port'], nic.port);
      if (nic.untagged) carried.add(nic.untagged);
      nic.tagged.forEach((n) => carried.add(n));
    });
    host.addresses.forEach((a, j) => {
      const aPath: Path = [...path, 'addresses', j];
      const net = networks.get(a.network);
      if (!net) return needNetwork([...aPath, 'network'], a.network);
      if (!isUsableHost(net.cidr, a.address)) add([...aPath, 'address'], `${a.address} is not a host address of network "${a.network}" (${cidrToString(net.cidr)})`, `pick an address inside ${cidrToString(net.cidr)}`);
      const owner = addresses.get(a.address);
      if (owner !== undefined) add([...aPath, 'address'], `${a.address} is already used by ${owner}`, 'give each host its own address');
      else addresses.set(a.address, `host "${host.name}"`);
      const netDef = lab.networks[net.index];
      if (netDef?.gateway === a.address) add([...aPath, 'address'], `${a.address} is the gateway address of network "${a.network}"`, 'pick another address; the gateway owns this one');
      if (netDef?.dhcp && inRange(a.address, netDef.dhcp.start, netDef.dhcp.end)) add([...aPath, 'address'], `${a.address} lies inside the DHCP range of "${a.network}" (${netDef.dhcp.start}–${netDef.dhcp.end})`, 'pick an address outside the range, or shrink the range');
      if (host.nics.length > 0 && !carried.has(a.network)) add([...aPath, 'network'], `host "${host.name}" has an address on "${a.network}" but none of its NICs carries that network`, `add "${a.network}" to a NIC's tagged list (or make it the untagged network)`);
    });
    if (host.role !== 'gateway' && host.role !== 'vm' && host.nics.length === 0) add([...path, 'nics'], `host "${host.name}" has no NIC`, 'list at least the NIC it boots from, with its MAC');
  });
}

/** The gateway: ports, bridges, transit, NAT, relay, DNS, BGP. */
function gatewayRules(r: Rules): void {
  const { lab, add, needNetwork, needHost, needPort, networks, hosts } = r;
  const gw = lab.gateway;
  if (gw) {
    const g: Path = ['gateway'];
    const gwHost = hosts.get(gw.host);
    if (!gwHost) needHost([...g, 'host'], gw.host);
    else if (gwHost.host.role !== 'gateway') add([...g, 'host'], `host "${gw.host}" has role ${gwHost.host.role}, not gateway`, 'point gateway.host at the host whose role is gateway');
    const seenPorts = new Set<string>();
    gw.ports.forEach((port, i) => {
      const p: Path = [...g, 'ports', i];
      if (seenPorts.has(port.name)) add([...p, 'name'], `port "${port.name}" is listed twice`, 'list each port once');
      seenPorts.add(port.name);
      port.vlans.forEach((n, k) => {
        needNetwork([...p, 'vlans', k], n);
        const net = lab.networks.find((x) => x.name === n);
        if (net && net.vlan === undefined) add([...p, 'vlans', k], `network "${n}" has no VLAN id, so it cannot be carried tagged`, `give "${n}" a vlan, or make it the port's native network`);
      });
      needNetwork([...p, 'native'], port.native);
    });
    gw.bridges.forEach((br, i) => {
      const p: Path = [...g, 'bridges', i];
      needNetwork([...p, 'network'], br.network);
      br.members.forEach((m, k) => {
        needPort([...p, 'members', k], m);
        const port = gw.ports.find((x) => x.name === m);
        if (port && !port.vlans.includes(br.network)) add([...p, 'members', k], `port "${m}" does not carry network "${br.network}"`, `add "${br.network}" to gateway port ${m}'s vlans`);
      });
    });
    if (gw.transit) {
      const p: Path = [...g, 'transit'];
      needPort([...p, 'port'], gw.transit.port);
      needNetwork([...p, 'network'], gw.transit.network);
      const net = networks.get(gw.transit.network);
      if (net) {
        if (!isUsableHost(net.cidr, gw.transit.address)) add([...p, 'address'], `${gw.transit.address} is not a host address of "${gw.transit.network}"`, `pick an address inside ${cidrToString(net.cidr)}`);
        if (!isUsableHost(net.cidr, gw.transit.peer)) add([...p, 'peer'], `${gw.transit.peer} is not a host address of "${gw.transit.network}"`, `pick an address inside ${cidrToString(net.cidr)}`);
      }
    }
    gw.nat.masquerade.forEach((m, i) => needPort([...g, 'nat', 'masquerade', i, 'outbound'], m.outbound));
    if (gw.dhcpRelay) {
      const p: Path = [...g, 'dhcpRelay'];
      gw.dhcpRelay.networks.forEach((n, k) => needNetwork([...p, 'networks', k], n));
      if (![...networks.values()].some((n) => cidrContains(n.cidr, gw.dhcpRelay!.server))) {
        add([...p, 'server'], `relay server ${gw.dhcpRelay.server} is on none of the lab's networks`, 'point the relay at the PXE service’s address on the provisioning network');
      }
    }
    gw.dns.listenOn.forEach((n, k) => {
      needNetwork([...g, 'dns', 'listenOn', k], n);
      const net = lab.networks.find((x) => x.name === n);
      if (net && net.gateway === undefined) add([...g, 'dns', 'listenOn', k], `network "${n}" has no gateway address to listen on`, `give "${n}" a gateway address`);
    });
    if (gw.bgp) {
      gw.bgp.announce.forEach((n, k) => needNetwork([...g, 'bgp', 'announce', k], n));
      gw.bgp.peers.forEach((peer, k) => {
        const p: Path = [...g, 'bgp', 'peers', k];
        if (peer.host === undefined && peer.address === undefined) add(p, 'a BGP peer needs a host or an address', 'add `host: <lab host>` or `address: <IPv4>`');
        if (peer.host !== undefined) {
          const h = hosts.get(peer.host);
          if (!h) needHost([...p, 'host'], peer.host);
          else if (peer.address === undefined && h.host.addresses.length === 0) add([...p, 'host'], `host "${peer.host}" has no static address to peer with`, 'give the host an address, or write the peer address');
        }
      });
    }
  }
}

/** Clusters: the platform and Harvester clusters' hosts, VIP and Talos release. */
function clusterRules(r: Rules): void {
  const { lab, add, needNetwork, needHost, networks, hosts, addresses } = r;
  const platform = lab.clusters.platform;
  if (platform) {
    const p: Path = ['clusters', 'platform'];
    platform.hosts.forEach((name, k) => {
      const h = hosts.get(name);
      if (!h) return needHost([...p, 'hosts', k], name);
      if (h.host.role !== 'controlplane' && h.host.role !== 'vm') add([...p, 'hosts', k], `host "${name}" has role ${h.host.role}; the platform cluster takes controlplane or vm hosts`, `change the host's role, or remove it from the platform cluster`);
      if (h.host.boot === 'usb' && compareVersions(platform.talos, MIN_TALOS_FOR_EMBEDDED) < 0) {
        add([...p, 'talos'], `host "${name}" boots from USB with an embedded config, which needs Talos ${MIN_TALOS_FOR_EMBEDDED} or later (this lab says ${platform.talos})`, `set clusters.platform.talos to ${MIN_TALOS_FOR_EMBEDDED} or later, or boot "${name}" over PXE`);
      }
      if (h.host.addresses.length === 0) add([...p, 'hosts', k], `host "${name}" has no static address; Talos nodes here are configured statically`, 'give the host an address on the platform network');
    });
    platformCniRules(r, platform);
    platformVipRules(r, platform);
  }
  const harvester = lab.clusters.harvester;
  if (harvester) {
    const p: Path = ['clusters', 'harvester'];
    needNetwork([...p, 'network'], harvester.network);
    const net = networks.get(harvester.network);
    if (net && !isUsableHost(net.cidr, harvester.vip)) add([...p, 'vip'], `VIP ${harvester.vip} is not a host address of "${harvester.network}"`, `pick an address inside ${cidrToString(net.cidr)}`);
    const owner = addresses.get(harvester.vip);
    if (owner !== undefined) add([...p, 'vip'], `VIP ${harvester.vip} is already used by ${owner}`, 'pick a free address for the VIP');
    harvester.hosts.forEach((name, k) => {
      const h = hosts.get(name);
      if (!h) return needHost([...p, 'hosts', k], name);
      if (h.host.role !== 'harvester') add([...p, 'hosts', k], `host "${name}" has role ${h.host.role}, not harvester`, 'set its role to harvester, or remove it from the Harvester cluster');
      if (!h.host.addresses.some((a) => a.network === harvester.network)) add([...p, 'hosts', k], `host "${name}" has no address on "${harvester.network}"`, `give it an address on ${harvester.network}`);
    });
  }
}

type Platform = NonNullable<Lab['clusters']['platform']>;

/** How the pod network arrives: without one Talos never reports Ready, and Argo CD never starts. */
function platformCniRules(r: Rules, platform: Platform): void {
  const p: Path = ['clusters', 'platform'];
  const cni = cniPlan(platform);
  if (platform.gitops && !cni.arrives) {
    r.add(
      [...p, 'cni'],
      'cni: none with gitops never becomes Ready: Argo CD cannot install the CNI, because its own pods need a CNI to start',
      'write cni: { name: cilium, via: inline } to put the pre-rendered Cilium manifest pinned in images.yaml into the Talos configs, or cni: { name: none, via: manual } if you apply a CNI yourself while bootstrap waits',
    );
  }
  // Without kube-proxy, Cilium reaches the API server through KubePrism on localhost (Talos's Cilium guide).
  if (cni.ciliumImage && !platform.kubeProxy && !platform.kubePrism.enabled) {
    r.add([...p, 'kubePrism'], 'Cilium replaces kube-proxy here (kubeProxy: false) and reaches the API server through KubePrism on localhost, but KubePrism is disabled', 'set kubePrism: { enabled: true, port: 7445 }, or kubeProxy: true');
  }
}

/** The control-plane VIP: a free address on the hosts' shared network, and the endpoint when there are several hosts. */
function platformVipRules(r: Rules, platform: Platform): void {
  const { lab, add, networks, hosts, addresses } = r;
  const p: Path = ['clusters', 'platform'];
  const endpointHost = /^https?:\/\/([^/:]+)/.exec(platform.endpoint)?.[1] ?? '';
  const owner = addresses.get(endpointHost);
  if (platform.vip === undefined) {
    if (platform.hosts.length > 1 && owner !== undefined) {
      add([...p, 'endpoint'], `endpoint ${platform.endpoint} is the own address of ${owner}, so the other control-plane hosts lose the API whenever it is down`, 'add vip: <a free address on the hosts\' network> to clusters.platform and point endpoint at it (https://<vip>:6443)');
    }
    return;
  }
  const vip = platform.vip;
  const first = hosts.get(platform.hosts[0] ?? '')?.host.addresses[0];
  const net = first ? networks.get(first.network) : undefined;
  const netDef = first ? lab.networks.find((n) => n.name === first.network) : undefined;
  if (first && net && !isUsableHost(net.cidr, vip)) {
    add([...p, 'vip'], `VIP ${vip} is not a host address of "${first.network}" (${cidrToString(net.cidr)}), the network the control-plane hosts share`, `pick a free address inside ${cidrToString(net.cidr)}`);
  }
  const holder = addresses.get(vip);
  if (holder !== undefined) add([...p, 'vip'], `VIP ${vip} is already used by ${holder}`, 'pick an address no host has');
  if (netDef?.gateway === vip) add([...p, 'vip'], `VIP ${vip} is the gateway address of "${netDef.name}"`, 'pick an address the gateway does not own');
  if (netDef?.dhcp && inRange(vip, netDef.dhcp.start, netDef.dhcp.end)) add([...p, 'vip'], `VIP ${vip} lies inside the DHCP range of "${netDef.name}" (${netDef.dhcp.start}–${netDef.dhcp.end})`, 'pick an address outside the range: a leased copy of it would fight the control plane for it');
  if (lab.clusters.harvester?.vip === vip) add([...p, 'vip'], `VIP ${vip} is also the Harvester cluster's VIP`, 'give each cluster its own VIP');
  if (first) {
    platform.hosts.forEach((name, k) => {
      const h = hosts.get(name);
      if (h && h.host.addresses.length > 0 && !h.host.addresses.some((a) => a.network === first.network)) add([...p, 'hosts', k], `host "${name}" has no address on "${first.network}", so it cannot hold the VIP ${vip}`, `give it an address on ${first.network} (the VIP moves between control-plane hosts on one layer-2 network)`);
    });
  }
  if (isIpv4(endpointHost) && endpointHost !== vip) {
    add([...p, 'endpoint'], `endpoint ${platform.endpoint} does not use the VIP ${vip}${owner ? ` (it is the own address of ${owner})` : ''}`, `write endpoint: https://${vip}:6443`);
  }
}

/** The PXE service, and hosts that boot from it. */
function pxeRules(r: Rules): void {
  const { lab, add, needNetwork, needHost, networks } = r;
  if (lab.pxe) {
    const p: Path = ['pxe'];
    needHost([...p, 'host'], lab.pxe.host);
    needNetwork([...p, 'network'], lab.pxe.network);
    const net = networks.get(lab.pxe.network);
    if (net && !isUsableHost(net.cidr, lab.pxe.address)) add([...p, 'address'], `${lab.pxe.address} is not a host address of "${lab.pxe.network}"`, `pick an address inside ${cidrToString(net.cidr)}`);
    const netDef = lab.networks.find((x) => x.name === lab.pxe!.network);
    if (lab.pxe.mode === 'full' && netDef && !netDef.dhcp) add([...p, 'mode'], `full PXE mode needs a DHCP range on "${lab.pxe.network}"`, `add dhcp: {start, end} to network ${lab.pxe.network}, or use mode: proxy`);
  }
  lab.hosts.forEach((h, i) => {
    if (h.boot === 'pxe' && h.role !== 'vm' && lab.pxe === undefined) add(['hosts', i, 'boot'], `host "${h.name}" boots over PXE but the lab has no pxe section`, 'add a pxe section naming where the PXE service runs');
    if (h.pxe?.reinstall && h.boot !== 'pxe') add(['hosts', i, 'pxe', 'reinstall'], `host "${h.name}" has pxe.reinstall but boots from ${h.boot}, not the network`, 'remove pxe.reinstall, or set boot: pxe');
  });

  // Stall thresholds name stall rules or phase checks of the phase model.
  const ruleIds = STALL_RULES.map((r) => r.id);
  for (const key of Object.keys(lab.collector.stalls)) {
    if (!ruleIds.includes(key) && key !== 'argocd-healthy' && !key.startsWith('argocd-app-')) {
      add(['collector', 'stalls', key], `"${key}" is not a stall rule or check`, `use one of: ${[...ruleIds, 'argocd-healthy', 'argocd-app-<app>'].join(', ')}`);
    }
  }
}


function inRange(ip: string, start: string, end: string): boolean {
  const n = ipToInt(ip);
  return n >= ipToInt(start) && n <= ipToInt(end);
}
