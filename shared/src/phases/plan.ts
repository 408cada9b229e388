import type { Host, Lab } from '../lab/schema.js';
import { argoAppCheck, argoCdCheck, DEFAULT_PLATFORM_APPS, PHASES, type PhaseCheckDef, type PhaseId } from './phases.js';
import type { StageId } from './stages.js';

/** One host as the phase model sees it. */
export interface PlanHost {
  name: string;
  role: string;
  phase: PhaseId;
  /** The stages this host is expected to pass, in order; the last one means done. */
  path: StageId[];
  /** Lower-case MACs (PXE events may name only a MAC). */
  macs: string[];
  /** Static addresses (a Talos event-sink connection is known only by its peer address). */
  addresses: string[];
  /**
   * The addresses its cluster node must report. A Harvester node reports its management address
   * (clusters.harvester.network) as InternalIP, not its provisioning one, so only that is compared.
   */
  nodeAddresses: string[];
  /** The lab's install disk selector, checked against the disk the host reports. */
  installDisk?: Host['installDisk'];
}

export interface PlanPhase {
  id: PhaseId;
  number: number;
  title: string;
  hosts: string[];
  checks: PhaseCheckDef[];
}

export interface GenesisPlan {
  hosts: PlanHost[];
  phases: PlanPhase[];
}

const PXE_PREFIX: StageId[] = ['expected', 'pxe-dhcp', 'pxe-tftp', 'pxe-http'];
const INSTALL_TAIL: StageId[] = ['installing', 'rebooting', 'installed', 'joined', 'healthy'];
// Harvester's installer reports no boot from disk; its own API is the next word (node Ready).
const HARVESTER_TAIL: StageId[] = ['installing', 'rebooting', 'healthy'];

/** The stages a host passes, from its role and how it boots. */
export function hostPath(host: Pick<Host, 'role' | 'boot'>): StageId[] {
  // VyOS runs live from the stick: booting with its configuration is the whole job.
  if (host.role === 'gateway') return ['expected', 'booted'];
  // Harvester's installer reports by webhook; the live installer itself sends no boot event.
  if (host.role === 'harvester' && host.boot === 'pxe') return [...PXE_PREFIX, ...HARVESTER_TAIL];
  if (host.boot === 'pxe') return [...PXE_PREFIX, 'booted', ...INSTALL_TAIL];
  return ['expected', 'booted', ...INSTALL_TAIL];
}

export function hostPhase(lab: Lab, host: Host): PhaseId {
  if (host.role === 'gateway') return 'direct-boot';
  if (host.role === 'harvester') return 'harvester-online';
  if (host.role === 'vm') return 'full-platform';
  const platform = lab.clusters.platform?.hosts ?? [];
  if (host.boot === 'usb' && (platform.length === 0 || platform.includes(host.name))) return 'direct-boot';
  return 'full-platform';
}

const normMac = (m: string) => m.toLowerCase().replace(/-/g, ':');

/**
 * The addresses a host's cluster node reports and is reached at: a Harvester host's on
 * clusters.harvester.network (its management network; its provisioning address is the installer's),
 * otherwise all its static addresses.
 */
export function nodeAddresses(lab: Lab, host: Host): string[] {
  const all = host.addresses.map((a) => a.address);
  const network = host.role === 'harvester' ? lab.clusters.harvester?.network : undefined;
  if (network === undefined) return all;
  const onIt = host.addresses.filter((a) => a.network === network).map((a) => a.address);
  return onIt.length > 0 ? onIt : all;
}

/** The Genesis plan of a lab: which host belongs to which phase and what each phase waits for. */
export function planFromLab(lab: Lab, options: { platformApps?: readonly string[] } = {}): GenesisPlan {
  const hosts: PlanHost[] = lab.hosts.map((h) => ({
    name: h.name,
    role: h.role,
    phase: hostPhase(lab, h),
    path: hostPath(h),
    macs: h.nics.map((n) => normMac(n.mac)),
    addresses: h.addresses.map((a) => a.address),
    nodeAddresses: nodeAddresses(lab, h),
    ...(h.installDisk ? { installDisk: h.installDisk } : {}),
  }));
  const apps = options.platformApps ?? DEFAULT_PLATFORM_APPS;
  const hasPlatform = lab.clusters.platform !== undefined;
  const phases: PlanPhase[] = PHASES.map((p) => {
    const checks: PhaseCheckDef[] = [];
    if (hasPlatform && p.id === 'direct-boot') checks.push(argoCdCheck());
    if (hasPlatform && p.id === 'single-node-platform') checks.push(...apps.map(argoAppCheck));
    return { id: p.id, number: p.number, title: p.title, hosts: hosts.filter((h) => h.phase === p.id).map((h) => h.name), checks };
  });
  return { hosts, phases };
}
