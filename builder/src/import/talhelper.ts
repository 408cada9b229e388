import { parse } from 'yaml';
import { cidrContains, cidrToString, parseCidr, type Lab } from '@lab/shared';

/**
 * Turns a talhelper `talconfig.yaml` into lab-file sections (hosts, the platform cluster, and
 * networks the lab does not have yet). Pure: returns the sections and notes about what could not
 * be carried over. With a lab, networks are matched by VLAN id or by the address's subnet.
 */

export class ImportProblem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportProblem';
  }
}

interface TalNetworkInterface {
  deviceSelector?: { hardwareAddr?: string };
  interface?: string;
  dhcp?: boolean;
  addresses?: string[];
  routes?: { network?: string; gateway?: string }[];
  vlans?: { vlanId?: number; addresses?: string[]; routes?: { network?: string; gateway?: string }[] }[];
}

interface TalNode {
  hostname?: string;
  ipAddress?: string;
  controlPlane?: boolean;
  installDisk?: string;
  installDiskSelector?: { size?: string; type?: string; model?: string; serial?: string };
  networkInterfaces?: TalNetworkInterface[];
  nodeLabels?: Record<string, string>;
}

interface TalConfig {
  clusterName?: string;
  talosVersion?: string;
  kubernetesVersion?: string;
  endpoint?: string;
  allowSchedulingOnControlPlanes?: boolean;
  clusterPodNets?: string[];
  clusterSvcNets?: string[];
  cniConfig?: { name?: string };
  additionalApiServerCertSans?: string[];
  additionalMachineCertSans?: string[];
  nodes?: TalNode[];
  controlPlane?: { patches?: unknown[] };
  patches?: unknown[];
}

export interface ImportedNetwork {
  name: string;
  vlan?: number;
  cidr: string;
  gateway?: string;
  purpose: 'platform';
}

export interface TalhelperImport {
  networks: ImportedNetwork[];
  hosts: Record<string, unknown>[];
  clusters: { platform: Record<string, unknown> };
  notes: string[];
}

const VM_HINT = /(^|[^a-z])vm([^a-z]|$)/i;

function patchValues(patches: unknown[] | undefined, notes: string[]): { kubePrism?: { enabled?: boolean; port?: number }; proxyDisabled?: boolean; cni?: string } {
  const out: { kubePrism?: { enabled?: boolean; port?: number }; proxyDisabled?: boolean; cni?: string } = {};
  for (const [i, p] of (patches ?? []).entries()) {
    let doc: unknown = p;
    if (typeof p === 'string') {
      try {
        doc = parse(p);
      } catch {
        notes.push(`patch ${i + 1} is not YAML; skipped`);
        continue;
      }
    }
    const d = doc as { machine?: { features?: { kubePrism?: { enabled?: boolean; port?: number } } }; cluster?: { network?: { cni?: { name?: string } }; proxy?: { disabled?: boolean } } } | null;
    if (d?.machine?.features?.kubePrism) out.kubePrism = d.machine.features.kubePrism;
    if (d?.cluster?.proxy?.disabled !== undefined) out.proxyDisabled = d.cluster.proxy.disabled;
    if (d?.cluster?.network?.cni?.name) out.cni = d.cluster.network.cni.name;
  }
  return out;
}

export function importTalhelper(text: string, lab?: Lab): TalhelperImport {
  let data: TalConfig;
  try {
    data = parse(text) as TalConfig;
  } catch (err) {
    const line = (err as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    throw new ImportProblem(`not valid YAML${line ? ` (line ${line})` : ''}`);
  }
  if (!data || typeof data !== 'object') throw new ImportProblem('expected a talconfig mapping (clusterName, nodes, …)');
  const missing = (['clusterName', 'talosVersion', 'kubernetesVersion', 'endpoint'] as const).filter((k) => !data[k]);
  if (missing.length > 0) throw new ImportProblem(`missing field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
  if (!Array.isArray(data.nodes) || data.nodes.length === 0) throw new ImportProblem('missing field nodes (a list of nodes)');

  const notes: string[] = [];
  const networks: ImportedNetwork[] = [];

  const networkFor = (address: string, vlan: number | undefined, gateway: string | undefined): string => {
    const [ip, len] = address.split('/');
    const cidr = cidrToString(parseCidr(`${ip}/${len ?? '32'}`));
    const known = lab?.networks.find((n) => (vlan !== undefined && n.vlan === vlan) || cidrContains(parseCidr(n.cidr), ip!));
    if (known) return known.name;
    const existing = networks.find((n) => n.cidr === cidr);
    if (existing) return existing.name;
    const name = vlan !== undefined ? `VLAN${vlan}` : `NET_${cidr.replace(/[./]/g, '_')}`;
    networks.push({ name, ...(vlan !== undefined ? { vlan } : {}), cidr, ...(gateway ? { gateway } : {}), purpose: 'platform' });
    return name;
  };
  const defaultGateway = (routes: { network?: string; gateway?: string }[] | undefined) =>
    routes?.find((r) => !r.network || r.network === '0.0.0.0/0')?.gateway;

  const hosts = data.nodes.map((node, i) => {
    if (!node.hostname) throw new ImportProblem(`nodes[${i}]: missing field hostname`);
    const name = node.hostname;
    const nics: Record<string, unknown>[] = [];
    const addresses: { network: string; address: string }[] = [];
    for (const [j, ni] of (node.networkInterfaces ?? []).entries()) {
      const mac = ni.deviceSelector?.hardwareAddr;
      const nic: Record<string, unknown> = {};
      if (mac && mac !== '*' && /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) nic.mac = mac.toLowerCase();
      else notes.push(`${name}: networkInterfaces[${j}] selects ${mac ? `hardwareAddr "${mac}"` : ni.interface ? `interface ${ni.interface}` : 'no device'}; the lab needs the NIC's MAC address — fill in mac:`);
      if (ni.interface) nic.name = ni.interface;
      for (const a of ni.addresses ?? []) {
        const net = networkFor(a, undefined, defaultGateway(ni.routes));
        nic.untagged = net;
        addresses.push({ network: net, address: a.split('/')[0]! });
      }
      const tagged: string[] = [];
      for (const v of ni.vlans ?? []) {
        for (const a of v.addresses ?? []) {
          const net = networkFor(a, v.vlanId, defaultGateway(v.routes));
          if (!tagged.includes(net)) tagged.push(net);
          addresses.push({ network: net, address: a.split('/')[0]! });
        }
      }
      if (tagged.length > 0) nic.tagged = tagged;
      nics.push(nic);
    }
    const labels = node.nodeLabels ?? {};
    const model = labels['node.kubernetes.io/instance-type'] ?? 'talos';
    if (!labels['node.kubernetes.io/instance-type']) notes.push(`${name}: no node.kubernetes.io/instance-type label; model set to "talos" — correct it`);
    if (!node.controlPlane) notes.push(`${name}: is a worker; the lab's platform cluster has control-plane hosts only, so it is imported as one — check it`);
    const disk = node.installDiskSelector;
    const installDisk = {
      ...(disk?.size ? { size: disk.size } : {}),
      ...(disk?.type ? { type: disk.type } : {}),
      ...(disk?.model ? { model: disk.model } : {}),
      ...(disk?.serial ? { serial: disk.serial } : {}),
      ...(node.installDisk ? { path: node.installDisk } : {}),
    };
    // A Harvester VM boots by PXE; a physical node in talhelper's world boots its ISO.
    const isVm = VM_HINT.test(model);
    return {
      name,
      model,
      role: isVm ? 'vm' : 'controlplane',
      boot: isVm ? 'pxe' : 'usb',
      ...(nics.length > 0 ? { nics } : {}),
      ...(addresses.length > 0 ? { addresses } : {}),
      ...(Object.keys(installDisk).length > 0 ? { installDisk } : {}),
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
    };
  });

  const patches = patchValues([...(data.patches ?? []), ...(data.controlPlane?.patches ?? [])], notes);
  const cniName = patches.cni ?? data.cniConfig?.name ?? 'flannel';
  if (cniName !== 'flannel' && cniName !== 'none') notes.push(`CNI "${cniName}" is not one the lab renders (flannel or none); set to none — deliver it through GitOps`);
  if (cniName !== 'flannel') notes.push('cni: none — if Argo CD is to install the CNI, the cluster never becomes Ready (Argo CD needs a CNI first): with gitops write cni: { name: cilium, via: inline } and pin the Cilium manifest in images.yaml');
  const cpCount = (data.nodes ?? []).filter((n) => n.controlPlane).length;
  if (cpCount > 1 && (data.nodes ?? []).some((n) => n.ipAddress && data.endpoint?.includes(`//${n.ipAddress}:`))) {
    notes.push(`endpoint ${data.endpoint} is one node's own address, but ${cpCount} nodes are control planes: add vip: <a free address on their network> and point endpoint at it`);
  }
  const certSans = [...new Set([...(data.additionalApiServerCertSans ?? []), ...(data.additionalMachineCertSans ?? [])])];
  const platform: Record<string, unknown> = {
    name: data.clusterName,
    talos: data.talosVersion,
    kubernetes: data.kubernetesVersion,
    endpoint: data.endpoint,
    ...(data.clusterPodNets ? { podCidrs: data.clusterPodNets } : {}),
    ...(data.clusterSvcNets ? { serviceCidrs: data.clusterSvcNets } : {}),
    cni: cniName === 'flannel' ? 'flannel' : 'none',
    kubeProxy: !(patches.proxyDisabled ?? false),
    ...(patches.kubePrism ? { kubePrism: { enabled: patches.kubePrism.enabled ?? true, port: patches.kubePrism.port ?? 7445 } } : {}),
    ...(data.allowSchedulingOnControlPlanes !== undefined ? { allowSchedulingOnControlPlanes: data.allowSchedulingOnControlPlanes } : {}),
    ...(certSans.length > 0 ? { certSans } : {}),
    hosts: hosts.map((h) => h.name),
  };
  return { networks, hosts, clusters: { platform }, notes };
}
