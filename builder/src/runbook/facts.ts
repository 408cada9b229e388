import { cidrContains, parseCidr, planFromLab, type GenesisPlan, type Host, type Lab, type Network } from '@lab/shared';

/** The lab values the runbook quotes, looked up once. Pure. */
export interface RunbookContext {
  lab: Lab;
  plan: GenesisPlan;
  /** How the operator names the lab file and state directory in commands. */
  labArg: string;
  stateDir: string;
  collectorHost: string;
  collectorPort: string;
  /** The network the laptop sits on (contains the collector URL's address). */
  laptopNet?: Network;
  gatewayHost?: Host;
  /** The gateway's address the operator SSHes to (on the management network). */
  gatewayMgmt?: string;
  usbTalos: Host[];
  pxeHosts: Host[];
  platformEndpointIp?: string;
}

export function vlanText(lab: Lab, name: string): string {
  const n = lab.networks.find((x) => x.name === name);
  return n?.vlan !== undefined ? `${name} (VLAN ${n.vlan})` : name;
}

export function networkOf(lab: Lab, ip: string): Network | undefined {
  return lab.networks.find((n) => cidrContains(parseCidr(n.cidr), ip));
}

export function runbookContext(lab: Lab, o: { labArg: string; stateDir: string }): RunbookContext {
  const url = new URL(lab.collector.url);
  const mgmt = lab.networks.find((n) => n.purpose === 'management');
  const gatewayHost = lab.hosts.find((h) => h.role === 'gateway');
  const ctx: RunbookContext = {
    lab,
    plan: planFromLab(lab),
    labArg: o.labArg,
    stateDir: o.stateDir,
    collectorHost: url.hostname,
    collectorPort: url.port || (url.protocol === 'https:' ? '443' : '80'),
    usbTalos: lab.hosts.filter((h) => (h.role === 'controlplane' || h.role === 'vm') && h.boot === 'usb'),
    pxeHosts: lab.hosts.filter((h) => h.boot === 'pxe'),
  };
  const laptopNet = networkOf(lab, url.hostname);
  if (laptopNet) ctx.laptopNet = laptopNet;
  if (gatewayHost) ctx.gatewayHost = gatewayHost;
  if (mgmt?.gateway) ctx.gatewayMgmt = mgmt.gateway;
  if (lab.clusters.platform) {
    // talosctl talks to a node's own address, never to the control-plane VIP: the VIP follows etcd,
    // so it is gone exactly when etcd needs repairing (Talos's VIP guide, "Caveats").
    const first = lab.clusters.platform.hosts.map((n) => lab.hosts.find((h) => h.name === n)).find((h) => h?.addresses[0]);
    ctx.platformEndpointIp = first ? hostAddress(first) : new URL(lab.clusters.platform.endpoint).hostname;
  }
  return ctx;
}

/** A host's first static address (what talosctl and ssh talk to). */
export function hostAddress(h: Host): string | undefined {
  return h.addresses[0]?.address;
}
