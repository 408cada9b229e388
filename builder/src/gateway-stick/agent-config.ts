import { stringify } from 'yaml';
import { AgentConfigSchema, type AgentConfigInput, type Lab, type PxeConfigInput } from '@lab/shared';
import { UserError } from '../base/index.js';
import { onMedium, SPOOL_DIR } from './layout.js';

type PxeHostInput = NonNullable<PxeConfigInput['hosts']>[number];

export interface AgentConfigOptions {
  /** Overrides lab.collector.url (a VM test, or a laptop on another address). */
  collectorUrl?: string;
}

function prefixMask(cidr: string): string {
  const bits = Number(cidr.split('/')[1]);
  const n = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}

function gatewayMac(lab: Lab, host: string): string | undefined {
  return lab.hosts.find((h) => h.name === host)?.nics[0]?.mac.toLowerCase().replace(/-/g, ':');
}

/** Networks whose DHCP the gateway relays to the PXE service: answered by giaddr (full mode). */
function relayedNetworks(lab: Lab) {
  const pxe = lab.pxe!;
  return pxe.mode === 'full' ? lab.networks.filter((n) => n.name !== pxe.network && n.dhcp?.server === 'pxe') : [];
}

/**
 * The hosts the PXE agent knows (pure), by the MAC of the NIC each boots from: the one on
 * pxe.network, else one on a relayed network, else the first. The collector marks installs by
 * the same MACs (collector/pxe-marks).
 */
export function pxeAgentHosts(lab: Lab): PxeHostInput[] {
  if (!lab.pxe) return [];
  const pxe = lab.pxe;
  const served = new Set([pxe.network, ...relayedNetworks(lab).map((n) => n.name)]);
  return lab.hosts.flatMap((h) => {
    const nic = h.boot === 'pxe' ? (h.nics.find((n) => n.untagged === pxe.network) ?? h.nics.find((n) => n.untagged && served.has(n.untagged)) ?? h.nics[0]) : undefined;
    if (!nic) return [];
    // Its fixed address on the network it PXE-boots on (direct or relayed), reserved for it.
    const bootNet = nic.untagged && served.has(nic.untagged) ? nic.untagged : pxe.network;
    const ip = h.addresses.find((a) => a.network === bootNet)?.address;
    // pxe.reinstall (the lab's re-arm switch): installs on every network boot, marks or not.
    return [{ name: h.name, mac: nic.mac.toLowerCase().replace(/-/g, ':'), ...(ip ? { ip } : {}), ...(h.pxe?.reinstall ? { reinstall: true } : {}) }];
  });
}

/** The PXE section when the lab runs its PXE service on the gateway. */
function pxeSection(lab: Lab): AgentConfigInput['pxe'] {
  const pxe = lab.pxe!;
  const net = lab.networks.find((n) => n.name === pxe.network);
  if (!net) throw new UserError('ERR_LAB_PXE_NETWORK_UNKNOWN', `pxe.network ${pxe.network} is not a network of the lab`, 'name one of networks[].name under pxe.network');
  if (pxe.mode === 'full' && !net.dhcp) {
    throw new UserError('ERR_LAB_PXE_NO_RANGE', `pxe.mode is full but network ${net.name} has no dhcp range to lease from`, `add dhcp: {start, end} to network ${net.name}, or set pxe.mode: proxy`);
  }
  const relayed = relayedNetworks(lab);
  const hosts = pxeAgentHosts(lab);
  const subnets = relayed.map((n) => ({
    name: n.name,
    network: n.cidr.split('/')[0]!,
    netmask: prefixMask(n.cidr),
    range: [n.dhcp!.start, n.dhcp!.end] as [string, string],
    leaseSeconds: n.dhcp!.lease,
    ...(n.gateway ? { router: n.gateway, dns: [n.gateway] } : { dns: lab.site.resolvers }),
  }));
  return {
    mode: pxe.mode,
    address: pxe.address,
    netmask: prefixMask(net.cidr),
    ...(pxe.mode === 'full' && net.dhcp ? { range: [net.dhcp.start, net.dhcp.end] as [string, string], leaseSeconds: net.dhcp.lease } : {}),
    ...(net.gateway ? { router: net.gateway, dns: [net.gateway] } : { dns: lab.site.resolvers }),
    root: onMedium('pxe'),
    httpPort: pxe.httpPort,
    // Beside the spool: survives an agent restart (the live system's /var lives as long as the boot).
    installedFile: `${SPOOL_DIR.replace(/\/spool$/, '')}/pxe-installed.json`,
    ...(subnets.length > 0 ? { subnets } : {}),
    hosts,
  };
}

/**
 * agent.yaml for the gateway's agent (pure): reports to the collector as the gateway host, and
 * runs the PXE service when the lab puts it on the gateway (pxe.host). Validated with the
 * agent's own schema before it is written. Holds the collector token: write it 0600.
 */
export function gatewayAgentYaml(lab: Lab, collectorToken: string, o: AgentConfigOptions = {}): string {
  const host = lab.gateway?.host ?? 'gateway';
  const runsPxe = lab.pxe?.host === host;
  const mac = gatewayMac(lab, host);
  const cfg: AgentConfigInput = {
    collector: { url: o.collectorUrl ?? lab.collector.url, token: collectorToken },
    // The MAC too when the lab knows one: events that carry a MAC are matched to hosts by it.
    host: { name: host, ...(mac ? { mac } : {}) },
    roles: runsPxe ? ['host', 'pxe'] : ['host'],
    spool: { dir: SPOOL_DIR },
    status: { host: '0.0.0.0', port: 9110 },
    ...(runsPxe ? { pxe: pxeSection(lab) } : {}),
  };
  const checked = AgentConfigSchema.safeParse(cfg);
  if (!checked.success) {
    const fields = checked.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new UserError('ERR_AGENT_CONFIG_INVALID', `the gateway agent configuration derived from the lab is invalid (${fields})`, 'check collector.url and the pxe section of the lab file');
  }
  return `# The gateway agent's configuration, written by builder make-usb. Holds the collector token.\n${stringify(cfg)}`;
}
