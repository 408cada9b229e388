import { cidrContains, parseCidr, planFromLab, prefixLength, PHASE_IDS, type Host, type Lab, type Network, type PhaseId } from '@lab/shared';
import { UserError, UsageError } from '../base/index.js';

/**
 * The rehearsal of a lab, decided from the lab alone (no I/O): the namespaces it creates, the
 * lab switch and its ports, the cables, and the QEMU virtual machine that stands in for each
 * host. `network.ts` turns it into `ip` commands, `vm.ts` into QEMU command lines.
 *
 * Layout. Every interface lives inside a namespace the rehearsal creates, none in the host's:
 *   <id>-lab   where every QEMU process runs. VM-to-VM links are QEMU `dgram` netdevs: UDP
 *              between two ports of this namespace's own loopback, one pair per cable.
 *   the lab switch: a small VM (busybox, Linux bridges) with one NIC per switch port and one
 *              bridge per VLAN. An access port joins its VLAN's bridge; a trunk port joins the
 *              bridges of its tagged VLANs through 802.1Q sub-interfaces. (A VM because the
 *              kernel this runs on may have no bridge or VLAN support of its own.)
 *   <id>-lt    the operator's laptop, at collector.url's address on its network: a tap from
 *              the switch moved into it. The collector runs here.
 *   <id>-up    the upstream router on the gateway's transit link (its `peer` address): a tap
 *              from the gateway's WAN port, and a blackhole default route — NAT to nowhere.
 *   <id>-px    the PXE service (the agent's DHCP, TFTP and HTTP) at pxe.address on pxe.network,
 *              when a rehearsed phase boots a host by PXE: a tap from an access port of the
 *              switch. The lab puts it on the gateway (pxe.host); the demo gateway does not run
 *              the agent (its stick carries no agent executable here), so the agent runs here,
 *              at the gateway's PXE address.
 */

/** One end of a VM's NIC. */
export type NicLink = { kind: 'udp'; localPort: number; remotePort: number } | { kind: 'tap'; ifname: string; ns: string };

export interface VmNic {
  mac: string;
  link: NicLink;
  /** What is at the far end, for the operator. */
  peer: string;
}

export type VmRole = Host['role'] | 'switch';

export interface VmPlan {
  host: string;
  role: VmRole;
  /** 0 for the lab switch (infrastructure, started before phase 1). */
  phaseNumber: number;
  phase?: PhaseId;
  firmware: 'uefi' | 'bios';
  boot: 'usb' | 'pxe';
  memoryMb: number;
  nics: VmNic[];
  /** MACs the rehearsal made up because the lab names none (the gateway's ports, the switch). */
  demoMacs: boolean;
  /** The disk the demo gives the machine (sparse: nothing is written to it). */
  disk?: DemoDisk;
  /** Boots the Talos-shaped payload (a platform cluster host). */
  talos: boolean;
}

export interface DemoDisk {
  bus: 'nvme' | 'virtio';
  bytes: number;
}

/**
 * The disk each model gets in the demo, as the hardware has it (the UM760 and the MS-02 ship
 * NVMe drives); the lab's installDisk selector is matched against it, as Talos would.
 */
export const DEMO_DISKS: Record<string, DemoDisk> = {
  um760: { bus: 'nvme', bytes: 512e9 },
  'ms-02': { bus: 'nvme', bytes: 1e12 },
  'harvester-vm': { bus: 'virtio', bytes: 120e9 },
};

/** A port of the lab switch: its NIC index on the switch VM and the VLANs it carries. */
export interface SwitchPort {
  nic: number;
  pvid?: number;
  tagged: number[];
  what: string;
}

export interface TapEnd {
  /** The tap's name; created in the lab namespace, moved into `ns` once QEMU holds it. */
  ifname: string;
  ns: string;
  address: string;
  prefix: number;
  gateway?: string;
  blackholeDefault?: boolean;
}

export interface RehearsalPlan {
  id: string;
  namespaces: { lab: string; uplink: string; laptop: string; pxe?: string };
  switchPorts: SwitchPort[];
  /** VLAN ids the switch carries. */
  vlans: number[];
  laptop: TapEnd & { network: string; vlan: number };
  uplink?: TapEnd;
  /** Where the PXE service runs, when a rehearsed phase boots a host by PXE. */
  pxe?: TapEnd & { network: string; vlan: number; httpPort: number };
  collectorPort: number;
  /** The switch first, then the lab's hosts in file order. */
  vms: VmPlan[];
  /** Phase numbers rehearsed, ascending. */
  phases: number[];
}

/** Demo guests are a kernel and a busybox initramfs: this is plenty and keeps 2 cores usable. */
export const DEMO_MEMORY_MB = 160;
/** The Talos-shaped payload carries curl and its libraries: OVMF needs room to load it (and a PXE guest's iPXE room for the kernel and initrd it fetches; the gateway's GRUB, booting from its stick, ran out of memory at 160 MiB under OVMF). */
export const DEMO_TALOS_MEMORY_MB = 256;
export const SWITCH_NAME = 'lab-switch';
/** First UDP port of the VM-to-VM links, on the lab namespace's loopback. */
const FIRST_LINK_PORT = 40000;

function fail(message: string, hint: string): never {
  throw new UserError('ERR_REHEARSE_LAB', `rehearse: ${message}`, hint);
}

function vlanOf(lab: Lab, name: string, where: string): number | undefined {
  const net = lab.networks.find((n) => n.name === name);
  if (!net) fail(`${where} names network ${name}, which the lab does not define`, 'run `builder validate` and fix the lab file');
  return net.vlan;
}

/** Locally administered MACs for NICs the lab does not list (the gateway's ports, the switch). */
export function demoMac(group: number, index: number): string {
  const hex = (n: number) => n.toString(16).padStart(2, '0');
  return `02:1a:b0:00:${hex(group)}:${hex(index)}`;
}

/** Phase numbers from `--phases`: `1`, `1-3`, `1,3`, or all when absent. */
export function parsePhases(text: string | undefined): number[] {
  if (text === undefined) return [1, 2, 3, 4];
  const out = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^\s*([1-4])\s*(?:-\s*([1-4])\s*)?$/.exec(part);
    if (!m) throw new UsageError('ERR_USAGE_FLAG_VALUE', `rehearse: --phases "${text}" is not a phase list`, 'write it like 1, 1-4 or 1,3 (phases run from 1 to 4)');
    const a = Number(m[1]);
    const b = Number(m[2] ?? m[1]);
    for (let p = Math.min(a, b); p <= Math.max(a, b); p++) out.add(p);
  }
  return [...out].sort((x, y) => x - y);
}

function laptopNetwork(lab: Lab): { net: Network & { vlan: number }; address: string; port: number } {
  const address = /^https?:\/\/([^/:]+)/.exec(lab.collector.url)?.[1] ?? '';
  const net = lab.networks.find((n) => cidrContains(parseCidr(n.cidr), address));
  if (!net) fail(`collector.url ${lab.collector.url} is on none of the lab's networks`, "set collector.url to the laptop's address on a lab network, such as http://10.10.10.5:8080 on LAB_MGMT");
  if (net.vlan === undefined) fail(`collector.url puts the laptop on ${net.name}, which has no VLAN on the lab switch`, 'put the laptop (collector.url) on a VLAN network such as LAB_MGMT');
  const port = Number(/:(\d+)$/.exec(lab.collector.listen)?.[1] ?? 8080);
  return { net: { ...net, vlan: net.vlan }, address, port };
}

/** The PXE service's place on the lab switch (pxe.address on pxe.network), or undefined when no rehearsed host boots by PXE. */
function pxeEnd(lab: Lab, ns: string, needed: boolean): RehearsalPlan['pxe'] {
  if (!needed) return undefined;
  const pxe = lab.pxe;
  if (!pxe) fail('a rehearsed host boots by PXE but the lab has no pxe section', 'add pxe: { host, network, address } to the lab');
  const net = lab.networks.find((n) => n.name === pxe.network);
  if (!net || net.vlan === undefined) fail(`pxe.network ${pxe.network} is not a VLAN network of the lab`, 'put the PXE service on a VLAN network such as LAB_PROV');
  return { ifname: 'pxe', ns, address: pxe.address, prefix: prefixLength(net), ...(net.gateway ? { gateway: net.gateway } : {}), network: net.name, vlan: net.vlan, httpPort: pxe.httpPort };
}

export interface PlanOptions {
  id: string;
  phases: number[];
  /**
   * The MAC a host's machine really has, when it is not the lab's (`--mac HOST=MAC`): its VM's
   * first NIC gets it, so a lab with a wrong MAC is rehearsed as the day would go.
   */
  machineMacs?: Record<string, string>;
}

export function planRehearsal(lab: Lab, options: PlanOptions): RehearsalPlan {
  const { id } = options;
  for (const name of Object.keys(options.machineMacs ?? {})) {
    if (!lab.hosts.some((h) => h.name === name && h.nics.length > 0)) fail(`--mac names ${name}, which is no host with NICs in the lab`, 'give --mac HOST=MAC for a host the lab lists with nics');
  }
  const namespaces: RehearsalPlan['namespaces'] = { lab: `${id}-lab`, uplink: `${id}-up`, laptop: `${id}-lt` };
  const genesis = planFromLab(lab);
  let nextPort = FIRST_LINK_PORT;
  const cable = (): [NicLink, NicLink] => {
    const a = nextPort++;
    const b = nextPort++;
    return [{ kind: 'udp', localPort: a, remotePort: b }, { kind: 'udp', localPort: b, remotePort: a }];
  };
  const switchNics: VmNic[] = [];
  const switchPorts: SwitchPort[] = [];
  const addSwitchPort = (what: string, pvid: number | undefined, tagged: number[], link: NicLink) => {
    switchPorts.push({ nic: switchNics.length, ...(pvid !== undefined ? { pvid } : {}), tagged, what });
    switchNics.push({ mac: demoMac(0xfe, switchNics.length), link, peer: what });
  };
  /** Gateway lan/wan ports by name: the far end a NIC with `port:` is cabled to. */
  const gatewayEnds = new Map<string, { vm: VmPlan; nic: number }>();
  const vms: VmPlan[] = [];
  let uplink: TapEnd | undefined;

  const gwHost = lab.hosts.find((h) => h.role === 'gateway');
  const ordered = gwHost ? [gwHost, ...lab.hosts.filter((h) => h !== gwHost)] : lab.hosts;
  for (const h of ordered) {
    const phase = genesis.hosts.find((p) => p.name === h.name)!.phase;
    const disk = DEMO_DISKS[h.model];
    const talos = (lab.clusters.platform?.hosts ?? []).includes(h.name);
    const vm: VmPlan = { host: h.name, role: h.role, phaseNumber: PHASE_IDS.indexOf(phase) + 1, phase, firmware: h.firmware, boot: h.boot, memoryMb: talos || h.boot === 'pxe' || h.role === 'gateway' ? DEMO_TALOS_MEMORY_MB : DEMO_MEMORY_MB, nics: [], demoMacs: h.role === 'gateway', ...(disk && h.role !== 'gateway' ? { disk } : {}), talos };
    const hostIndex = lab.hosts.indexOf(h);
    if (h.role === 'gateway') {
      const gw = lab.gateway;
      if (!gw) fail(`host ${h.name} has role gateway but the lab has no gateway section`, 'add the gateway section (ports, VLANs) to the lab file');
      gw.ports.forEach((p, i) => {
        const mac = demoMac(hostIndex, i);
        const what = `${h.name} ${p.name} (${p.role})`;
        if (p.role === 'trunk') {
          const [mine, theirs] = cable();
          const tagged = p.vlans.map((v) => vlanOf(lab, v, `gateway port ${p.name}`)).filter((v): v is number => v !== undefined);
          addSwitchPort(what, p.native ? vlanOf(lab, p.native, `gateway port ${p.name}`) : undefined, tagged, theirs);
          vm.nics.push({ mac, link: mine, peer: 'the lab switch' });
        } else if (p.role === 'wan' && gw.transit?.port === p.name) {
          const tnet = lab.networks.find((n) => n.name === gw.transit!.network);
          uplink = { ifname: 'uplink', ns: namespaces.uplink, address: gw.transit.peer, prefix: tnet ? prefixLength(tnet) : 30, blackholeDefault: true };
          vm.nics.push({ mac, link: { kind: 'tap', ifname: 'uplink', ns: namespaces.uplink }, peer: `the upstream router ${gw.transit.peer}` });
        } else {
          // A lan port: a cable to whatever NIC names it; unplugged (a link to nobody) otherwise.
          const [mine] = cable();
          vm.nics.push({ mac, link: mine, peer: 'nothing yet' });
          gatewayEnds.set(p.name, { vm, nic: i });
        }
      });
    } else {
      h.nics.forEach((nic, i) => {
        const what = `${h.name} nic ${i}${nic.name ? ` (${nic.name})` : ''}`;
        const real = i === 0 ? options.machineMacs?.[h.name] : undefined;
        const mac = (real ?? nic.mac).toLowerCase().replace(/-/g, ':');
        if (nic.port) {
          const end = gatewayEnds.get(nic.port);
          if (!end) fail(`${what} is cabled to gateway port ${nic.port}, which is not a lan port of the gateway`, 'cable it to a lan port, or drop `port:` to put it on the lab switch');
          const [mine, theirs] = cable();
          end.vm.nics[end.nic] = { ...end.vm.nics[end.nic]!, link: theirs, peer: what };
          vm.nics.push({ mac, link: mine, peer: `${end.vm.host} ${nic.port}` });
        } else {
          const [mine, theirs] = cable();
          const tagged = nic.tagged.map((t) => vlanOf(lab, t, what)).filter((v): v is number => v !== undefined);
          addSwitchPort(what, nic.untagged ? vlanOf(lab, nic.untagged, what) : undefined, tagged, theirs);
          vm.nics.push({ mac, link: mine, peer: 'the lab switch' });
        }
      });
    }
    if (vm.nics.length === 0) fail(`host ${h.name} has no NICs, so its VM could not reach anything`, `list ${h.name}'s nics (mac, untagged/tagged networks) in the lab file`);
    vms.push(vm);
  }
  vms.sort((a, b) => lab.hosts.findIndex((h) => h.name === a.host) - lab.hosts.findIndex((h) => h.name === b.host));

  const { net, address, port } = laptopNetwork(lab);
  const laptop = { ifname: 'laptop', ns: namespaces.laptop, address, prefix: prefixLength(net), ...(net.gateway ? { gateway: net.gateway } : {}), network: net.name, vlan: net.vlan };
  addSwitchPort(`the laptop (collector) on ${net.name}`, net.vlan, [], { kind: 'tap', ifname: laptop.ifname, ns: namespaces.laptop });
  const pxe = pxeEnd(lab, `${id}-px`, vms.some((v) => v.boot === 'pxe' && options.phases.includes(v.phaseNumber)));
  if (pxe) {
    namespaces.pxe = pxe.ns;
    addSwitchPort(`the PXE service (agent) on ${pxe.network}`, pxe.vlan, [], { kind: 'tap', ifname: pxe.ifname, ns: pxe.ns });
  }
  const vlans = [...new Set(switchPorts.flatMap((p) => [...(p.pvid !== undefined ? [p.pvid] : []), ...p.tagged]))].sort((a, b) => a - b);
  const switchVm: VmPlan = { host: SWITCH_NAME, role: 'switch', phaseNumber: 0, firmware: 'bios', boot: 'usb', memoryMb: DEMO_MEMORY_MB, nics: switchNics, demoMacs: true, talos: false };
  return { id, namespaces, switchPorts, vlans, laptop, ...(uplink ? { uplink } : {}), ...(pxe ? { pxe } : {}), collectorPort: port, vms: [switchVm, ...vms], phases: options.phases };
}
